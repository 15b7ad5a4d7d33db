-- One row per company × metric × dimension × period_label: the chosen figure plus how many sources agree.
-- Choice: a reviewed override first, then exact > approx > bounds, then the newer document, then the more
-- precisely written figure (smaller rounding tolerance), then document_id and char_start.
-- Conflict: another figure whose allowed magnitude interval (value ± half a unit of its last written digit,
-- or the open side of a bound) does not overlap the chosen one's, or whose sign differs. Figures in another
-- currency are compared on value_cny with 2% slack for the FX rate; when a CNY value is missing they are
-- not compared.
with

figures as (

    select * from {{ ref('int_figures_converted_to_cny') }}

),

documents as (

    select * from {{ ref('stg_ingest__documents') }}

),

figures_measured as (

    select
        figures.*,
        documents.published_at,
        {{ rounding_tolerance('figures.value_text', 'figures.value') }} as rounding_tolerance,
        {{ qualifier_priority('figures.qualifier') }} as qualifier_priority,
    from figures
    left join documents
        on figures.document_id = documents.document_id

),

figures_ranked as (

    select
        *,
        row_number() over (
            partition by company_id, metric, dimension, period_label
            order by
                is_override desc,
                qualifier_priority asc,
                published_at desc nulls last,
                rounding_tolerance asc,
                document_id asc,
                char_start asc
        ) as choice_rank,
    from figures_measured

),

chosen as (

    select * from figures_ranked
    where choice_rank = 1

),

-- each other figure of the key compared with the chosen one
comparisons as (

    select
        other.company_id,
        other.metric,
        other.dimension,
        other.period_label,
        other.value_text,
        other.qualifier,
        other.document_id,
        other.currency,
        case
            when other.currency = chosen.currency
                then
                    {{ magnitude_low('other.value', 'other.qualifier', 'other.rounding_tolerance') }}
                    <= {{ magnitude_high('chosen.value', 'chosen.qualifier', 'chosen.rounding_tolerance') }}
                    and {{ magnitude_low('chosen.value', 'chosen.qualifier', 'chosen.rounding_tolerance') }}
                    <= {{ magnitude_high('other.value', 'other.qualifier', 'other.rounding_tolerance') }}
                    and sign(other.value) * sign(chosen.value) >= 0
            when other.value_cny is null or chosen.value_cny is null then true
            else
                {{ magnitude_low('other.value_cny', 'other.qualifier',
                    'other.rounding_tolerance * other.fx_rate_used + 0.02 * abs(other.value_cny)') }}
                <= {{ magnitude_high('chosen.value_cny', 'chosen.qualifier',
                    'chosen.rounding_tolerance * chosen.fx_rate_used') }}
                and {{ magnitude_low('chosen.value_cny', 'chosen.qualifier',
                    'chosen.rounding_tolerance * chosen.fx_rate_used') }}
                <= {{ magnitude_high('other.value_cny', 'other.qualifier',
                    'other.rounding_tolerance * other.fx_rate_used + 0.02 * abs(other.value_cny)') }}
                and sign(other.value) * sign(chosen.value) >= 0
        end as is_consistent,
    from figures_ranked as other
    inner join chosen
        on
            other.company_id = chosen.company_id
            and other.metric = chosen.metric
            and other.dimension = chosen.dimension
            and other.period_label = chosen.period_label
    where other.choice_rank > 1

),

conflicts as (

    select
        company_id,
        metric,
        dimension,
        period_label,
        string_agg(
            distinct value_text || ' ' || currency || ' (' || qualifier || ', ' || document_id || ')',
            '; '
        ) as conflicting_values,
    from comparisons
    where not is_consistent
    group by company_id, metric, dimension, period_label

),

source_counts as (

    select
        company_id,
        metric,
        dimension,
        period_label,
        count(distinct document_id) as n_sources,
        count(*) as n_mentions,
        bool_or(is_override) as any_override,
        string_agg(figure_id, '|' order by figure_id) as source_figure_ids,
    from figures_ranked
    group by company_id, metric, dimension, period_label

),

resolved as (

    select
        chosen.* exclude (choice_rank, is_override, qualifier_priority),  -- noqa: RF02
        source_counts.any_override as is_override,
        source_counts.n_sources,
        source_counts.n_mentions,
        source_counts.source_figure_ids,
        conflicts.company_id is not null as has_conflict,
        coalesce(conflicts.conflicting_values, '') as conflicting_values,
    from chosen
    inner join source_counts
        on
            chosen.company_id = source_counts.company_id
            and chosen.metric = source_counts.metric
            and chosen.dimension = source_counts.dimension
            and chosen.period_label = source_counts.period_label
    left join conflicts
        on
            chosen.company_id = conflicts.company_id
            and chosen.metric = conflicts.metric
            and chosen.dimension = conflicts.dimension
            and chosen.period_label = conflicts.period_label

)

select * from resolved
