-- One row per check of a stated figure against the figures it summarises. A stated figure that
-- disagrees is flagged (passed = false) and kept as stated, never corrected. Rules and tolerances are
-- described in overview.md (docs block reconciliation_rules).
with

stated as (

    select * from {{ ref('int_figures_stated') }}

),

resolved as (

    select * from {{ ref('int_figures_deduplicated') }}

),

tilings as (

    select * from {{ ref('int_cumulative_totals_tiled') }}

),

use_of_proceeds as (

    select * from {{ ref('int_use_of_proceeds_paired') }}

),

offering_figures as (

    select * from {{ ref('int_offering_figures_assigned') }}

),

-- a stated cumulative total against the sum of the periods that tile it
cumulative_checks as (

    select
        'cumulative_total' as check_type,
        stated.figure_id,
        stated.company_id,
        stated.metric,
        stated.period_label,
        stated.currency,
        stated.value as stated_value,
        tilings.sum_value as computed_value,
        stated.rounding_tolerance as stated_tolerance,
        tilings.sum_tolerance as computed_tolerance,
        stated.qualifier,
        'sum of ' || tilings.part_labels as detail,
        stated.document_id,
        stated.quote,
        stated.is_override or tilings.any_override as is_override,
    from stated
    inner join tilings
        on stated.figure_id = tilings.total_figure_id

),

growth_statements as (

    select
        *,
        metric_family as growth_kind,
    from stated
    where metric_family in ('cagr', 'yoy_growth')

),

-- CAGR over the span: first and last full years of the base metric, ((last / first)^(1 / years) - 1) × 100
cagr_inputs as (

    select
        growth_statements.*,
        first_year.value as first_value,
        first_year.rounding_tolerance as first_tolerance,
        last_year.value as last_value,
        last_year.rounding_tolerance as last_tolerance,
        year(last_year.period_end) - year(first_year.period_end) as n_years,
        first_year.period_label || ' → ' || last_year.period_label as span_labels,
        first_year.is_override or last_year.is_override as inputs_override,
    from growth_statements
    inner join resolved as first_year
        on
            growth_statements.company_id = first_year.company_id
            and growth_statements.base_metric = first_year.metric
            and growth_statements.dimension = first_year.dimension
            and first_year.period_type = 'FY'
            and growth_statements.period_start = first_year.period_start
    inner join resolved as last_year
        on
            growth_statements.company_id = last_year.company_id
            and growth_statements.base_metric = last_year.metric
            and growth_statements.dimension = last_year.dimension
            and last_year.period_type = 'FY'
            and growth_statements.period_end = last_year.period_end
            and first_year.currency = last_year.currency
    where
        growth_statements.growth_kind = 'cagr'
        and first_year.value > 0
        and last_year.value > 0
        and year(last_year.period_end) > year(first_year.period_end)

),

cagr_checks as (

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

-- YoY growth of a period against the same period one year earlier
yoy_inputs as (

    select
        growth_statements.*,
        current_period.value as current_value,
        current_period.rounding_tolerance as current_tolerance,
        previous_period.value as previous_value,
        previous_period.rounding_tolerance as previous_tolerance,
        previous_period.period_label || ' → ' || current_period.period_label as span_labels,
        current_period.is_override or previous_period.is_override as inputs_override,
    from growth_statements
    inner join resolved as current_period
        on
            growth_statements.company_id = current_period.company_id
            and growth_statements.base_metric = current_period.metric
            and growth_statements.dimension = current_period.dimension
            and growth_statements.period_label = current_period.period_label
    inner join resolved as previous_period
        on
            current_period.company_id = previous_period.company_id
            and current_period.metric = previous_period.metric
            and current_period.dimension = previous_period.dimension
            and current_period.period_type = previous_period.period_type
            and current_period.currency = previous_period.currency
            and previous_period.period_start = cast(current_period.period_start - interval 1 year as date)
            and previous_period.period_end = cast(current_period.period_end - interval 1 year as date)
    where growth_statements.growth_kind = 'yoy_growth' and previous_period.value > 0

),

yoy_checks as (

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

-- shares of one whole must add up to at most 100%: revenue shares per kind of dimension
-- (segment, deployment ...), use-of-proceeds shares per offering date
share_groups as (

    select
        company_id,
        metric,
        period_label,
        case
            when metric = 'revenue_share_pct' then dimension_kind
            else 'purpose'
        end as share_kind,
        sum(value) as computed_value,
        sum(rounding_tolerance) as computed_tolerance,
        -- the smallest total the stated shares allow: bounds from above count as 0
        sum(
            case
                when qualifier = 'upper_bound' then 0.0
                when qualifier = 'lower_bound' then value
                else value - rounding_tolerance
            end
        ) as minimum_total,
        count(*) as n_shares,
        string_agg(dimension || '=' || value_text, '; ' order by dimension) as share_list,
        max(document_id) as document_id,
        string_agg(distinct quote, ' | ' order by quote) as quote,
        bool_or(is_override) as is_override,
        min(figure_id) as figure_id,
    from resolved
    where metric in ('revenue_share_pct', 'use_of_proceeds_pct')
    group by all

),

share_checks as (

    select
        'shares_at_most_100' as check_type,
        figure_id,
        company_id,
        metric,
        period_label,
        '' as currency,
        100.0 as stated_value,
        computed_value,
        0.0 as stated_tolerance,
        computed_tolerance,
        'upper_bound' as qualifier,
        share_kind || ' shares: ' || share_list as detail,
        document_id,
        quote,
        is_override,
        minimum_total <= 100.0 as passed,
    from share_groups

),

-- use-of-proceeds amount against pct × net proceeds (or, without net proceeds, at most pct × gross)
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

proceeds_checks as (

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

),

-- market cap against price × shares: the share count implied at the first moment with both a market cap
-- and a price (at_open ↔ opening_price, at_close/first_day ↔ first_day_close_price) must hold at the others
market_cap_pairs as (

    select
        market_cap.offering_id,
        market_cap.company_id,
        market_cap.figure_id,
        market_cap.dimension,
        market_cap.period_label,
        market_cap.currency,
        market_cap.value as market_cap,
        market_cap.qualifier,
        market_cap.rounding_tolerance as market_cap_tolerance,
        price.value as price,
        price.rounding_tolerance as price_tolerance,
        market_cap.document_id,
        market_cap.quote,
        market_cap.is_override or price.is_override as is_override,
        row_number() over (
            partition by market_cap.offering_id, market_cap.currency
            order by case market_cap.dimension when 'at_open' then 1 when 'first_day' then 2 else 3 end
        ) as moment_order,
    from offering_figures as market_cap
    inner join offering_figures as price
        on
            market_cap.offering_id = price.offering_id
            and market_cap.currency = price.currency
            and (
                (market_cap.dimension = 'at_open' and price.metric = 'opening_price')
                or (market_cap.dimension in ('at_close', 'first_day') and price.metric = 'first_day_close_price')
            )
    where market_cap.metric = 'market_cap' and price.value > 0

),

market_cap_checks as (

    select
        'market_cap_vs_price_x_shares' as check_type,
        later.figure_id,
        later.company_id,
        'market_cap' as metric,
        later.period_label,
        later.currency,
        later.market_cap as stated_value,
        later.price * first_moment.market_cap / first_moment.price as computed_value,
        later.market_cap_tolerance as stated_tolerance,
        later.price_tolerance * first_moment.market_cap / first_moment.price
        + later.price * first_moment.market_cap_tolerance / first_moment.price
        + later.price * first_moment.market_cap * first_moment.price_tolerance / pow(first_moment.price, 2)
            as computed_tolerance,
        later.qualifier,
        later.dimension || ' price × shares implied at ' || first_moment.dimension as detail,
        later.document_id,
        later.quote,
        later.is_override or first_moment.is_override as is_override,
    from market_cap_pairs as later
    inner join market_cap_pairs as first_moment
        on
            later.offering_id = first_moment.offering_id
            and later.currency = first_moment.currency
            and first_moment.moment_order = 1
    where later.moment_order > 1

),

interval_checks as (

    select * from cumulative_checks
    union all
    select * from cagr_checks
    union all
    select * from yoy_checks
    union all
    select * from market_cap_checks

),

all_checks as (

    select
        *,
        {{ check_passes('stated_value', 'qualifier', 'stated_tolerance', 'computed_value', 'computed_tolerance') }}
            as passed,
    from interval_checks

    union all

    select * from share_checks

    union all

    select * from proceeds_checks

),

final as (

    select
        md5(check_type || ':' || figure_id) as check_id,
        company_id,
        check_type,
        metric,
        period_label,
        stated_value,
        computed_value,
        computed_value - stated_value as difference,
        {{ check_tolerance('qualifier', 'stated_tolerance', 'computed_tolerance') }} as tolerance,
        qualifier,
        passed,
        detail,
        document_id,
        quote,
        currency,
        figure_id,
        stated_tolerance,
        computed_tolerance,
        is_override,
    from all_checks

)

select * from final
