-- Check use_of_proceeds_amount: a use-of-proceeds amount against pct × net proceeds; without net proceeds
-- the amount must not exceed pct × gross proceeds (net ≤ gross). One row per offering × purpose.
with

use_of_proceeds as (

    select * from {{ ref('int_use_of_proceeds_paired') }}

),

offering_figures as (

    select * from {{ ref('int_offering_figures_assigned') }}

),

-- the latest, best-qualified net and gross proceeds of each offering and currency
proceeds_totals as (

    select
        offering_id,
        metric,
        currency,
        value,
        qualifier,
        value_text,
        rounding_tolerance,
        is_override,
    from offering_figures
    where metric in ('net_proceeds', 'gross_proceeds') and dimension = ''
    qualify row_number() over (
        partition by offering_id, metric, currency
        order by period_end desc, {{ qualifier_priority('qualifier') }}
    ) = 1

),

proceeds_base as (

    select
        use_of_proceeds.*,
        coalesce(net_total.metric, gross_total.metric) as base_metric,
        coalesce(net_total.value, gross_total.value) as base_value,
        coalesce(net_total.qualifier, gross_total.qualifier) as base_qualifier,
        coalesce(net_total.rounding_tolerance, gross_total.rounding_tolerance) as base_tolerance,
        coalesce(net_total.is_override, gross_total.is_override, false) as base_override,
        {{ rounding_tolerance(
            'use_of_proceeds.use_of_proceeds_pct', 'use_of_proceeds.pct_written_number', 'use_of_proceeds.pct_decimals_written'
        ) }}
            as pct_tolerance,
        {{ rounding_tolerance(
            'use_of_proceeds.use_of_proceeds_amount',
            'use_of_proceeds.amount_written_number',
            'use_of_proceeds.amount_decimals_written'
        ) }}
            as amount_tolerance,
    from use_of_proceeds
    left join proceeds_totals as net_total
        on
            use_of_proceeds.offering_id = net_total.offering_id
            and use_of_proceeds.amount_currency = net_total.currency
            and net_total.metric = 'net_proceeds'
            and net_total.qualifier in ('exact', 'approx')
    left join proceeds_totals as gross_total
        on
            use_of_proceeds.offering_id = gross_total.offering_id
            and use_of_proceeds.amount_currency = gross_total.currency
            and gross_total.metric = 'gross_proceeds'
    where
        use_of_proceeds.use_of_proceeds_pct is not null
        and use_of_proceeds.use_of_proceeds_amount is not null
        and coalesce(net_total.value, gross_total.value) is not null

),

proceeds_verdicts as (

    select
        *,
        {{ check_passes(
            'use_of_proceeds_amount', 'amount_qualifier', 'amount_tolerance',
            'use_of_proceeds_pct / 100 * base_value',
            '(pct_tolerance * base_value + use_of_proceeds_pct * base_tolerance) / 100') }} as matches_net_share,
        {{ magnitude_low('use_of_proceeds_amount', 'amount_qualifier', 'amount_tolerance') }}
        <= (use_of_proceeds_pct + pct_tolerance) / 100 * (abs(base_value) + base_tolerance) as within_gross_share,
    from proceeds_base

),

final as (

    select
        'use_of_proceeds_amount' as check_type,
        offering_id || ':' || dimension as figure_id,
        company_id,
        'use_of_proceeds_amount' as metric,
        period_label,
        amount_currency as currency,
        use_of_proceeds_amount as stated_value,
        use_of_proceeds_pct / 100 * base_value as computed_value,
        amount_tolerance as stated_tolerance,
        (pct_tolerance * base_value + use_of_proceeds_pct * base_tolerance) / 100 as computed_tolerance,
        amount_qualifier as qualifier,
        case
            when base_metric = 'net_proceeds'
                then purpose || ': ' || pct_value_text || ' of net proceeds'
            else
                purpose || ': ' || pct_value_text
                || ' of net proceeds must not exceed that share of gross proceeds (' || base_qualifier || ')'
        end as detail,
        document_id,
        quote,
        is_override or base_override as is_override,
        case
            when base_metric = 'net_proceeds' then matches_net_share
            when base_qualifier = 'lower_bound' then true
            else within_gross_share
        end as passed,
    from proceeds_verdicts

)

select * from final
