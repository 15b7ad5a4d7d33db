{%- set overridable = {
    'company_id': 'varchar', 'table_name': 'varchar', 'metric': 'varchar', 'dimension': 'varchar',
    'dimension_kind': 'varchar', 'dimension_value': 'varchar', 'period_type': 'varchar', 'period_start': 'date', 'period_end': 'date', 'period_label': 'varchar',
    'value': 'double', 'unit': 'varchar', 'currency': 'varchar', 'qualifier': 'varchar',
} -%}

with

figures as (

    select * from {{ ref('stg_ingest__figures') }}

),

overrides as (

    select * from {{ ref('stg_reference__figure_overrides') }}

),

-- the latest review of a field wins
latest_overrides as (

    select * from overrides
    qualify row_number() over (
        partition by figure_id, field_name
        order by reviewed_at desc nulls last, new_value asc
    ) = 1

),

overrides_by_figure as (

    select
        figure_id,
        {%- for column in overridable %}
        max(new_value) filter (where field_name = '{{ column }}') as new_{{ column }},
        {%- endfor %}
        bool_or(
            field_name = 'exclude' and lower(new_value) in ('true', '1', 'yes')
        ) as is_excluded,
        string_agg(field_name || ': ' || override_reason, '; ' order by field_name) as override_reason,
    from latest_overrides
    group by figure_id

),

-- a bad new_value fails the cast loudly instead of silently becoming null
overridden as (

    select
        figures.figure_id,
        figures.document_id,
        {%- for column, data_type in overridable.items() %}
        coalesce(
            cast(overrides_by_figure.new_{{ column }} as {{ data_type }}),
            figures.{{ column }}
        ) as {{ column }},
        {%- endfor %}
        figures.value_text,
        figures.char_start,
        figures.char_end,
        figures.quote,
        figures.converted_value,
        figures.converted_currency,
        figures.extraction_rule,
        figures.written_number,
        figures.decimals_written,
        figures.implied_fx_rate_id,
        overrides_by_figure.figure_id is not null as is_override,
        coalesce(overrides_by_figure.override_reason, '') as override_reason,
    from figures
    left join overrides_by_figure
        on figures.figure_id = overrides_by_figure.figure_id
    where not coalesce(overrides_by_figure.is_excluded, false)

)

select * from overridden
