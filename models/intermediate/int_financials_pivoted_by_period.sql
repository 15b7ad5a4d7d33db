{%- set money_metrics = [
    'revenue', 'gross_profit', 'net_profit', 'adjusted_net_profit', 'operating_profit', 'rd_expense',
    'cash_and_equivalents',
] -%}
{%- set ratio_metrics = ['gross_margin_pct', 'revenue_growth_yoy_pct', 'revenue_cagr_pct'] -%}

-- One row per company × period with the resolved financials without dimension side by side. The row's
-- currency is revenue's, else the most frequent money currency of the period; money figures in another
-- currency are left out so that every ratio is computed within one currency.
with

financials as (

    select * from {{ ref('int_figures_deduplicated') }}
    where table_name = 'financials' and dimension = ''

),

currency_votes as (

    select
        company_id,
        period_label,
        currency,
        bool_or(metric = 'revenue') as has_revenue,
        count(*) as n_figures,
    from financials
    where currency <> ''
    group by company_id, period_label, currency

),

period_currency as (

    select
        company_id,
        period_label,
        currency,
    from currency_votes
    qualify row_number() over (
        partition by company_id, period_label
        order by has_revenue desc, n_figures desc, currency asc
    ) = 1

),

periods as (

    select
        financials.company_id,
        financials.period_label,
        min(financials.period_type) as period_type,
        min(financials.period_start) as period_start,
        max(financials.period_end) as period_end,
        coalesce(min(period_currency.currency), '') as currency,
    from financials
    left join period_currency
        on
            financials.company_id = period_currency.company_id
            and financials.period_label = period_currency.period_label
    group by financials.company_id, financials.period_label

),

pivoted as (

    select
        periods.company_id,
        periods.period_label,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        periods.currency,
        {%- for metric in money_metrics %}
        max(financials.value) filter (
            where financials.metric = '{{ metric }}' and financials.currency = periods.currency
        ) as {{ metric }},
        {%- endfor %}
        {%- for metric in ratio_metrics %}
        max(financials.value) filter (where financials.metric = '{{ metric }}') as {{ metric }},
        {%- endfor %}
        bool_or(financials.qualifier <> 'exact') as has_non_exact_input,
        bool_or(financials.is_override) as is_override,
    from periods
    inner join financials
        on
            periods.company_id = financials.company_id
            and periods.period_label = financials.period_label
            and (periods.currency = financials.currency or financials.currency = '')
    group by
        periods.company_id,
        periods.period_label,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        periods.currency

)

select * from pivoted
