-- value_cny: a figure's own stated conversion ('约合人民币…' right after it) wins, as written; else
-- value × the closest rate dated on or before the figure's date (period_end, else the document's
-- publication date): the ECB reference rate of that day or the last ECB day before it, or a rate a
-- document implies. Same-date tie-break: a rate whose quote sits inside the figure's quote, then
-- reference before implied, then source name. Rates dated after the figure are never used.
with

figures as (

    select * from {{ ref('int_figures_with_overrides') }}

),

documents as (

    select * from {{ ref('stg_ingest__documents') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates_unioned') }}

),

figures_dated as (

    select
        figures.*,
        coalesce(figures.period_end, documents.published_at) as conversion_date,
    from figures
    left join documents
        on figures.document_id = documents.document_id

),

-- X→CNY rates, plus CNY→X rates turned around
rates_to_cny as (

    select
        fx_rate_id,
        rate_date,
        base_currency as currency,
        rate,
        rate_source,
        source_kind,
        document_id as rate_document_id,
        quote as rate_quote,
    from fx_rates
    where quote_currency = 'CNY' and base_currency <> 'CNY' and rate > 0

    union all

    select
        fx_rate_id,
        rate_date,
        quote_currency as currency,
        1.0 / rate as rate,
        rate_source || ' (inverted)' as rate_source,
        source_kind,
        document_id as rate_document_id,
        quote as rate_quote,
    from fx_rates
    where base_currency = 'CNY' and quote_currency <> 'CNY' and rate > 0

),

rate_candidates as (

    select
        figures_dated.figure_id,
        rates_to_cny.rate,
        rates_to_cny.rate_date,
        rates_to_cny.rate_source,
        row_number() over (
            partition by figures_dated.figure_id
            order by
                -- the rate the figure's own conversion states ('约合人民币…'), named by ingest
                coalesce(
                    figures_dated.converted_currency = 'CNY'
                    and rates_to_cny.fx_rate_id = figures_dated.implied_fx_rate_id,
                    false
                ) desc,
                rates_to_cny.rate_date desc,
                coalesce(contains(figures_dated.quote, rates_to_cny.rate_quote), false) desc,
                case rates_to_cny.source_kind when 'reference' then 0 else 1 end asc,
                rates_to_cny.rate_source asc,
                rates_to_cny.rate asc
        ) as candidate_rank,
    from figures_dated
    inner join rates_to_cny
        on
            figures_dated.currency = rates_to_cny.currency
            and figures_dated.conversion_date >= rates_to_cny.rate_date

),

chosen_rates as (

    select * from rate_candidates
    where candidate_rank = 1

),

converted as (

    select
        figures_dated.* exclude (conversion_date),  -- noqa: RF02
        case
            when figures_dated.currency = 'CNY' then figures_dated.value
            when
                figures_dated.converted_currency = 'CNY' and figures_dated.converted_value is not null
                then figures_dated.converted_value
            when chosen_rates.rate is not null then figures_dated.value * chosen_rates.rate
        end as value_cny,
        case
            when figures_dated.currency = 'CNY' then 1.0
            else chosen_rates.rate
        end as fx_rate_used,
        case
            when figures_dated.currency = 'CNY' then figures_dated.conversion_date
            else chosen_rates.rate_date
        end as fx_rate_date,
        case
            when figures_dated.currency = 'CNY' then 'identity'
            else coalesce(chosen_rates.rate_source, '')
        end as fx_rate_source,
        case
            when figures_dated.currency = '' then 'not_money'
            when figures_dated.currency = 'CNY' then ''
            when figures_dated.conversion_date is null then 'no_date_for_conversion'
            when chosen_rates.rate is null then 'no_fx_rate_on_or_before_date'
            else ''
        end as value_cny_null_reason,
        figures_dated.conversion_date,
    from figures_dated
    left join chosen_rates
        on figures_dated.figure_id = chosen_rates.figure_id

)

select * from converted
