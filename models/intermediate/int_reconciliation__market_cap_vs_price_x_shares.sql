-- Check market_cap_vs_price_x_shares: the share count implied at the first moment with both a market cap and
-- a price (at_open ↔ opening_price, at_close/first_day ↔ first_day_close_price) must hold at the others.
with

offering_figures as (

    select * from {{ ref('int_offering_figures_assigned') }}

),

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

checks as (

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

final as (

    select
        *,
        {{ check_passes('stated_value', 'qualifier', 'stated_tolerance', 'computed_value', 'computed_tolerance') }}
            as passed,
    from checks

)

select * from final
