-- Every distinct stated figure, once per document (a figure repeated in one article is one statement),
-- with the rounding tolerance of its written form. The stated side of the reconciliation checks.
with

figures as (

    select * from {{ ref('int_figures_converted_to_cny') }}

),

metrics as (

    select * from {{ ref('stg_reference__metrics') }}

),

stated as (

    select
        figures.*,
        metrics.unit_kind,
        {{ rounding_tolerance('figures.value_text', 'figures.value') }} as rounding_tolerance,
    from figures
    left join metrics
        on figures.metric = metrics.metric
    qualify row_number() over (
        partition by
            figures.document_id,
            figures.company_id,
            figures.metric,
            figures.dimension,
            figures.period_label,
            figures.value,
            figures.qualifier
        order by figures.char_start, figures.figure_id
    ) = 1

)

select * from stated
