-- Every distinct stated figure, once per document (a figure repeated in one article is one statement),
-- with the rounding tolerance of its written form. The stated side of the reconciliation checks.
with

figures as (

    select * from {{ ref('int_figures_measured') }}

),

stated as (

    select * from figures
    qualify row_number() over (
        partition by document_id, company_id, metric, dimension, period_label, value, qualifier
        order by char_start asc, figure_id asc
    ) = 1

)

select * from stated
