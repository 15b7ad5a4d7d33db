with

figures as (

    select * from {{ ref('int_figures_converted_to_cny') }}

),

final as (

    select
        figure_id,
        document_id,
        company_id,
        table_name,
        metric,
        dimension,
        period_type,
        period_start,
        period_end,
        period_label,
        value,
        unit,
        currency,
        value_cny,
        qualifier,
        char_start,
        char_end,
        quote,
        is_override,
        value_text,
        {{ rounding_tolerance('value_text', 'value') }} as rounding_tolerance,
        converted_value,
        converted_currency,
        fx_rate_used,
        fx_rate_date,
        fx_rate_source,
        value_cny_null_reason,
        override_reason,
        extraction_rule,
    from figures

)

select * from final
