-- Every figure mention with what choosing among sources needs: the document's publication date, the rounding
-- tolerance of the written number, the range a bound covers, and the rank of its qualifier.
with

figures as (

    select * from {{ ref('int_figures_converted_to_cny') }}

),

documents as (

    select * from {{ ref('stg_ingest__documents') }}

),

metrics as (

    select * from {{ ref('stg_reference__metrics') }}

),

measured as (

    select
        figures.*,
        documents.published_at,
        metrics.unit_kind,
        metrics.metric_family,
        metrics.base_metric,
        {{ rounding_tolerance('figures.value', 'figures.written_number', 'figures.decimals_written') }}
            as rounding_tolerance,
        {{ bound_span('figures.value', 'figures.written_number', 'figures.decimals_written') }} as bound_span,
        {{ qualifier_priority('figures.qualifier') }} as qualifier_priority,
    from figures
    left join documents
        on figures.document_id = documents.document_id
    left join metrics
        on figures.metric = metrics.metric

)

select * from measured
