{%- set scalar_metrics = [
    'offer_price', 'offer_price_low', 'offer_price_high', 'opening_price', 'opening_change_pct',
    'first_day_close_price', 'first_day_change_pct', 'gross_proceeds', 'net_proceeds', 'planned_proceeds',
    'public_subscription_multiple', 'international_subscription_multiple', 'cornerstone_count',
    'cornerstone_amount', 'shares_offered',
] -%}
{%- set market_cap_moments = ['at_open', 'at_close', 'first_day'] -%}
{%- set columns = scalar_metrics + [] -%}
{%- for moment in market_cap_moments %}{% do columns.append('market_cap_' ~ moment) %}{% endfor -%}

-- One row per listing attempt with a column (value, currency, qualifier) per offering metric. When an
-- attempt has several figures for one column, the latest-dated then the best-qualified one is shown.
-- Derived columns (suffix _derived) are computed only from same-currency figures of the attempt, except
-- the valuation multiple, which compares CNY values.
with

attempts as (

    select * from {{ ref('int_offering_attempts') }}

),

figures as (

    select * from {{ ref('int_offering_figures_assigned') }}

),

use_of_proceeds as (

    select * from {{ ref('int_use_of_proceeds_paired') }}

),

financials as (

    select * from {{ ref('int_figures_deduplicated') }}
    where table_name = 'financials'

),

figures_keyed as (

    select
        *,
        case
            when metric = 'market_cap' then 'market_cap_' || dimension
            when metric <> 'market_cap' and dimension_kind in ('', 'exchange')
                then metric
        end as column_key,
    from figures

),

figures_chosen as (

    select * from figures_keyed
    where column_key is not null
    qualify row_number() over (
        partition by offering_id, column_key
        order by period_end desc nulls last, {{ qualifier_priority('qualifier') }} asc, figure_id asc
    ) = 1

),

pivoted as (

    select
        offering_id,
        {%- for column in columns %}
        max(value) filter (where column_key = '{{ column }}') as {{ column }},
        max(currency) filter (where column_key = '{{ column }}') as {{ column }}_currency,
        max(qualifier) filter (where column_key = '{{ column }}') as {{ column }}_qualifier,
        {%- endfor %}
        {%- for moment in market_cap_moments %}
        max(value_cny) filter (where column_key = 'market_cap_{{ moment }}') as market_cap_{{ moment }}_cny,
        {%- endfor %}
        bool_or(is_override) as is_override,
        bool_or(has_conflict) as has_conflict,
        string_agg(
            case when has_conflict then column_key || ' vs ' || conflicting_values end, '; ' order by column_key
        ) as conflicting_values,
        max(n_sources) as n_sources,
        count(*) as n_figures,
    from figures_chosen
    group by offering_id

),

-- the purpose with the largest share gives the least rounding-sensitive implied net proceeds
implied_net_proceeds as (

    select
        offering_id,
        use_of_proceeds_amount / use_of_proceeds_pct * 100 as net_proceeds_implied_derived,
        amount_currency as net_proceeds_implied_currency,
    from use_of_proceeds
    where use_of_proceeds_pct > 0 and use_of_proceeds_amount is not null
    qualify row_number() over (
        partition by offering_id
        order by use_of_proceeds_pct desc, purpose asc
    ) = 1

),

valuation_basis as (

    select
        attempts.offering_id,
        coalesce(
            pivoted.market_cap_at_close_cny, pivoted.market_cap_first_day_cny, pivoted.market_cap_at_open_cny
        ) as market_cap_cny,
        case
            when pivoted.market_cap_at_close_cny is not null then 'at_close'
            when pivoted.market_cap_first_day_cny is not null then 'first_day'
            when pivoted.market_cap_at_open_cny is not null then 'at_open'
        end as market_cap_basis,
        coalesce(attempts.listing_date, attempts.attempt_start) as valuation_date,
    from attempts
    left join pivoted
        on attempts.offering_id = pivoted.offering_id

),

-- last full year of revenue published before the valuation date
last_full_year_revenue as (

    select
        valuation_basis.offering_id,
        financials.value_cny as revenue_cny,
        financials.period_label as revenue_period_label,
    from valuation_basis
    inner join attempts
        on valuation_basis.offering_id = attempts.offering_id
    inner join financials
        on
            attempts.company_id = financials.company_id
            and financials.metric = 'revenue'
            and financials.dimension = ''
            and financials.period_type = 'FY'
            and valuation_basis.valuation_date >= financials.period_end
    qualify row_number() over (
        partition by valuation_basis.offering_id
        order by financials.period_end desc
    ) = 1

),

final as (

    select
        attempts.offering_id,
        attempts.company_id,
        attempts.exchange,
        attempts.attempt_number,
        attempts.status,
        attempts.listing_date,
        attempts.filing_date,
        attempts.approval_date,
        attempts.hearing_passed_date,
        attempts.withdrawal_date,
        {%- for column in columns %}
        pivoted.{{ column }},
        pivoted.{{ column }}_currency,
        pivoted.{{ column }}_qualifier,
        {%- endfor %}
        {%- for moment in market_cap_moments %}
        pivoted.market_cap_{{ moment }}_cny,
        {%- endfor %}
        pivoted.offer_price * (1 + pivoted.first_day_change_pct / 100) as first_day_close_price_derived,
        case
            when pivoted.first_day_change_pct is not null then pivoted.offer_price_currency
        end as first_day_close_price_derived_currency,
        implied_net_proceeds.net_proceeds_implied_derived,
        implied_net_proceeds.net_proceeds_implied_currency,
        valuation_basis.market_cap_cny / nullif(last_full_year_revenue.revenue_cny, 0)
            as valuation_multiple_derived,
        case
            when last_full_year_revenue.revenue_cny is not null then valuation_basis.market_cap_basis
        end as valuation_market_cap_basis,
        last_full_year_revenue.revenue_period_label as valuation_revenue_period_label,
        coalesce(pivoted.is_override, false) as is_override,
        coalesce(pivoted.has_conflict, false) as has_conflict,
        coalesce(pivoted.conflicting_values, '') as conflicting_values,
        coalesce(pivoted.n_sources, 0) as n_sources,
        coalesce(pivoted.n_figures, 0) as n_figures,
    from attempts
    left join pivoted
        on attempts.offering_id = pivoted.offering_id
    left join implied_net_proceeds
        on attempts.offering_id = implied_net_proceeds.offering_id
    left join valuation_basis
        on attempts.offering_id = valuation_basis.offering_id
    left join last_full_year_revenue
        on attempts.offering_id = last_full_year_revenue.offering_id

)

select * from final
