-- Check cagr: a stated CAGR against ((last / first)^(1 / years) - 1) × 100 from the first and last full years
-- of its base metric. The computed tolerance is the widest move the inputs' rounding allows.
with

growth_rates as (

    select * from {{ ref('int_growth_rates_stated') }}
    where growth_kind = 'cagr'

),

resolved as (

    select * from {{ ref('int_figures_deduplicated') }}

),

cagr_inputs as (

    select
        growth_rates.*,
        first_year.value as first_value,
        first_year.rounding_tolerance as first_tolerance,
        last_year.value as last_value,
        last_year.rounding_tolerance as last_tolerance,
        year(last_year.period_end) - year(first_year.period_end) as n_years,
        first_year.period_label || ' → ' || last_year.period_label as span_labels,
        first_year.is_override or last_year.is_override as inputs_override,
    from growth_rates
    inner join resolved as first_year
        on
            growth_rates.company_id = first_year.company_id
            and growth_rates.base_metric = first_year.metric
            and growth_rates.dimension = first_year.dimension
            and first_year.period_type = 'FY'
            and growth_rates.period_start = first_year.period_start
    inner join resolved as last_year
        on
            growth_rates.company_id = last_year.company_id
            and growth_rates.base_metric = last_year.metric
            and growth_rates.dimension = last_year.dimension
            and last_year.period_type = 'FY'
            and growth_rates.period_end = last_year.period_end
            and first_year.currency = last_year.currency
    where
        first_year.value > 0
        and last_year.value > 0
        and year(last_year.period_end) > year(first_year.period_end)

),

checks as (

    select
        'cagr' as check_type,
        figure_id,
        company_id,
        metric,
        period_label,
        '' as currency,
        value as stated_value,
        (pow(last_value / first_value, 1.0 / n_years) - 1) * 100 as computed_value,
        rounding_tolerance as stated_tolerance,
        case
            when first_value - first_tolerance <= 0 then cast('infinity' as double)
            else greatest(
                (pow((last_value + last_tolerance) / (first_value - first_tolerance), 1.0 / n_years) - 1) * 100
                - (pow(last_value / first_value, 1.0 / n_years) - 1) * 100,
                (pow(last_value / first_value, 1.0 / n_years) - 1) * 100
                - (pow((last_value - last_tolerance) / (first_value + first_tolerance), 1.0 / n_years) - 1) * 100
            )
        end as computed_tolerance,
        qualifier,
        'CAGR of ' || base_metric || ' ' || span_labels || ' over ' || cast(n_years as varchar) || ' years'
            as detail,
        document_id,
        quote,
        is_override or inputs_override as is_override,
    from cagr_inputs

),

final as (

    select
        *,
        {{ check_passes('stated_value', 'qualifier', 'stated_tolerance', 'computed_value', 'computed_tolerance') }}
            as passed,
    from checks

)

select * from final
