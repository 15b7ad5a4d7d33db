-- Stated growth rates (CAGR, YoY growth) with their kind and the metric they grow: the stated side of the
-- cagr and yoy_growth checks, which both need it.
with

stated as (

    select * from {{ ref('int_figures_stated') }}
    where metric like '%\_cagr\_pct' escape '\' or metric like '%\_growth\_yoy\_pct' escape '\'

),

growth_rates as (

    select
        *,
        case
            when metric like '%\_cagr\_pct' escape '\' then 'cagr'
            when metric like '%\_growth\_yoy\_pct' escape '\' then 'yoy_growth'
        end as growth_kind,
        regexp_replace(metric, '_(cagr|growth_yoy)_pct$', '') as base_metric,
    from stated

)

select * from growth_rates
