-- Stated growth rates (CAGR, YoY growth) with their kind and the metric they grow (metric_family and
-- base_metric of ref_metrics): the stated side of the cagr and yoy_growth checks, which both need it.
with

stated as (

    select * from {{ ref('int_figures_stated') }}
    where metric_family in ('cagr', 'yoy_growth')

),

growth_rates as (

    select
        *,
        metric_family as growth_kind,
    from stated

)

select * from growth_rates
