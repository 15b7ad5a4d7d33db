-- One row per company × metric × dimension × period_label: the chosen statement, how many documents state
-- it, and whether another statement disagrees beyond rounding. Rules: macros/resolve_figures.sql.
with

figures as (

    select * from {{ ref('int_figures_measured') }}

),

{{ resolve_figures('figures', ['company_id', 'metric', 'dimension', 'period_label']) }}

select * from resolved
