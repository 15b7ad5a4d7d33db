-- Check yoy_growth: a stated growth rate of a period against that period and the same period one year
-- earlier (same metric, dimension, period type and currency).
with

growth_rates as (

    select * from {{ ref('int_growth_rates_stated') }}
    where growth_kind = 'yoy_growth'

),

resolved as (

    select * from {{ ref('int_figures_deduplicated') }}

),

yoy_inputs as (

    select
        growth_rates.*,
        current_period.value as current_value,
        current_period.rounding_tolerance as current_tolerance,
        previous_period.value as previous_value,
        previous_period.rounding_tolerance as previous_tolerance,
        previous_period.period_label || ' → ' || current_period.period_label as span_labels,
        current_period.is_override or previous_period.is_override as inputs_override,
    from growth_rates
    inner join resolved as current_period
        on
            growth_rates.company_id = current_period.company_id
            and growth_rates.base_metric = current_period.metric
            and growth_rates.dimension = current_period.dimension
            and growth_rates.period_label = current_period.period_label
    inner join resolved as previous_period
        on
            current_period.company_id = previous_period.company_id
            and current_period.metric = previous_period.metric
            and current_period.dimension = previous_period.dimension
            and current_period.period_type = previous_period.period_type
            and current_period.currency = previous_period.currency
            and previous_period.period_start = cast(current_period.period_start - interval 1 year as date)
            and previous_period.period_end = cast(current_period.period_end - interval 1 year as date)
    where previous_period.value > 0

),

checks as (

    select
        'yoy_growth' as check_type,
        figure_id,
        company_id,
        metric,
        period_label,
        '' as currency,
        value as stated_value,
        (current_value / previous_value - 1) * 100 as computed_value,
        rounding_tolerance as stated_tolerance,
        case
            when previous_value - previous_tolerance <= 0 then cast('infinity' as double)
            else greatest(
                ((current_value + current_tolerance) / (previous_value - previous_tolerance) - 1) * 100
                - (current_value / previous_value - 1) * 100,
                (current_value / previous_value - 1) * 100
                - ((current_value - current_tolerance) / (previous_value + previous_tolerance) - 1) * 100
            )
        end as computed_tolerance,
        qualifier,
        'growth of ' || base_metric || ' ' || span_labels as detail,
        document_id,
        quote,
        is_override or inputs_override as is_override,
    from yoy_inputs

),

final as (

    select
        *,
        {{ check_passes('stated_value', 'qualifier', 'stated_tolerance', 'computed_value', 'computed_tolerance') }}
            as passed,
    from checks

)

select * from final
