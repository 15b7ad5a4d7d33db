-- Stated metrics keep their code as column name; every computed column ends in _derived and is computed
-- only from figures of the same company, period and currency (YoY: the same period one year earlier).
with

periods as (

    select * from {{ ref('int_financials_pivoted_by_period') }}

),

with_previous_year as (

    select
        periods.*,
        previous_year.period_label as previous_period_label,
        previous_year.revenue as previous_revenue,
    from periods
    left join periods as previous_year
        on
            periods.company_id = previous_year.company_id
            and periods.period_type = previous_year.period_type
            and periods.currency = previous_year.currency
            and periods.period_type not in ('CUM', 'AS_OF')
            and previous_year.period_start = cast(periods.period_start - interval 1 year as date)
            and previous_year.period_end = cast(periods.period_end - interval 1 year as date)

),

final as (

    select
        company_id,
        period_label,
        period_type,
        period_start,
        period_end,
        currency,
        revenue,
        gross_profit,
        gross_margin_pct,
        net_profit,
        adjusted_net_profit,
        operating_profit,
        rd_expense,
        cash_and_equivalents,
        revenue_growth_yoy_pct,
        revenue_cagr_pct,
        case
            when previous_revenue > 0 then (revenue / previous_revenue - 1) * 100
        end as revenue_growth_yoy_pct_derived,
        case when previous_revenue > 0 then previous_period_label end as previous_period_label,
        case when revenue > 0 then net_profit / revenue * 100 end as net_margin_pct_derived,
        case when revenue > 0 then adjusted_net_profit / revenue * 100 end as adjusted_net_margin_pct_derived,
        case when revenue > 0 then rd_expense / revenue * 100 end as rd_intensity_pct_derived,
        gross_margin_pct / 100 * revenue as gross_profit_derived,
        case when revenue > 0 then gross_profit / revenue * 100 end as gross_margin_pct_derived,
        case when revenue > 0 and net_profit < 0 then -net_profit / revenue end as loss_per_unit_revenue_derived,
        has_non_exact_input,
        is_override,
    from with_previous_year

)

select * from final
