-- Every company × metric × dimension × period of fct_figures has exactly one row in financials, kpis or
-- (for offering metrics) the resolved figures behind offerings; nothing is lost or duplicated.
with

figure_keys as (

    select distinct
        company_id,
        table_name,
        metric,
        dimension,
        period_label,
    from {{ ref('fct_figures') }}
    where table_name in ('financials', 'kpis')

),

resolved_keys as (

    select
        company_id,
        'financials' as table_name,
        metric,
        dimension,
        period_label,
    from {{ ref('financials') }}

    union all

    select
        company_id,
        'kpis' as table_name,
        metric,
        dimension,
        period_label,
    from {{ ref('kpis') }}

),

counted as (

    select
        figure_keys.company_id,
        figure_keys.metric,
        figure_keys.dimension,
        figure_keys.period_label,
        count(resolved_keys.metric) as n_resolved,
    from figure_keys
    left join resolved_keys
        on
            figure_keys.company_id = resolved_keys.company_id
            and figure_keys.table_name = resolved_keys.table_name
            and figure_keys.metric = resolved_keys.metric
            and figure_keys.dimension = resolved_keys.dimension
            and figure_keys.period_label = resolved_keys.period_label
    group by all

)

select * from counted
where n_resolved <> 1
