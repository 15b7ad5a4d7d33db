-- Use-of-proceeds percentages and amounts of one offering paired by purpose (the `purpose:` dimension).
with

figures as (

    select * from {{ ref('int_offering_figures_assigned') }}
    where metric in ('use_of_proceeds_pct', 'use_of_proceeds_amount')

),

paired as (

    select
        offering_id,
        company_id,
        dimension,
        trim(dimension_value) as purpose,
        max(value) filter (where metric = 'use_of_proceeds_pct') as use_of_proceeds_pct,
        max(qualifier) filter (where metric = 'use_of_proceeds_pct') as pct_qualifier,
        max(value_text) filter (where metric = 'use_of_proceeds_pct') as pct_value_text,
        -- the written precision of the row whose value_text is taken (the rounding tolerance's inputs)
        arg_max(written_number, value_text) filter (where metric = 'use_of_proceeds_pct') as pct_written_number,
        arg_max(decimals_written, value_text) filter (where metric = 'use_of_proceeds_pct') as pct_decimals_written,
        max(value) filter (where metric = 'use_of_proceeds_amount') as use_of_proceeds_amount,
        max(currency) filter (where metric = 'use_of_proceeds_amount') as amount_currency,
        max(qualifier) filter (where metric = 'use_of_proceeds_amount') as amount_qualifier,
        max(value_text) filter (where metric = 'use_of_proceeds_amount') as amount_value_text,
        arg_max(written_number, value_text) filter (
            where metric = 'use_of_proceeds_amount'
        ) as amount_written_number,
        arg_max(decimals_written, value_text) filter (
            where metric = 'use_of_proceeds_amount'
        ) as amount_decimals_written,
        max(value_cny) filter (where metric = 'use_of_proceeds_amount') as use_of_proceeds_amount_cny,
        max(period_label) as period_label,
        max(document_id) as document_id,
        -- ordered: an unordered string_agg lists the same parts in a different order from one build to the next
        string_agg(distinct quote, ' | ' order by quote) as quote,
        bool_or(is_override) as is_override,
    from figures
    group by offering_id, company_id, dimension, dimension_value

)

select * from paired
