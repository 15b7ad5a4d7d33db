-- One row per check of a stated figure against the figures it summarises. A stated figure that disagrees is
-- flagged (passed = false) and kept as stated, never corrected. Each check family is its own model
-- (int_reconciliation__<check_type>, same columns); this mart unions them and adds what every check shares.
-- Rules and tolerances: overview.md (docs block reconciliation_rules).
with

cumulative_total as (

    select * from {{ ref('int_reconciliation__cumulative_total') }}

),

cagr as (

    select * from {{ ref('int_reconciliation__cagr') }}

),

yoy_growth as (

    select * from {{ ref('int_reconciliation__yoy_growth') }}

),

shares_at_most_100 as (

    select * from {{ ref('int_reconciliation__shares_at_most_100') }}

),

use_of_proceeds_amount as (

    select * from {{ ref('int_reconciliation__use_of_proceeds_amount') }}

),

market_cap_vs_price_x_shares as (

    select * from {{ ref('int_reconciliation__market_cap_vs_price_x_shares') }}

),

all_checks as (

    select * from cumulative_total
    union all
    select * from cagr
    union all
    select * from yoy_growth
    union all
    select * from shares_at_most_100
    union all
    select * from use_of_proceeds_amount
    union all
    select * from market_cap_vs_price_x_shares

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
