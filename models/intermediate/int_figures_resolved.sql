-- Several statements of one figure resolved into one row: the chosen statement, how many documents state it,
-- and whether another statement disagrees beyond rounding. Two kinds of figure, resolved the same way:
-- company_period (company × metric × dimension × period_label, every mention) and offering_attempt (listing
-- attempt × metric × dimension × moment_key, the offering mentions): one model so the rules cannot drift.
-- Rules: docs block resolution_rule (overview.md).
with

figures as (

    select * from {{ ref('int_figures_measured') }}

),

offering_mentions as (

    select * from {{ ref('int_offering_mentions_assigned') }}

),

-- one key for both kinds: resolution_grain × resolution_id × metric × dimension × resolution_period
statements as (

    select
        'company_period' as resolution_grain,
        company_id as resolution_id,
        period_label as resolution_period,
        *,
    from figures

    union all by name

    select
        'offering_attempt' as resolution_grain,
        offering_id as resolution_id,
        moment_key as resolution_period,
        *,
    from offering_mentions

),

-- choice: a reviewed override first, then exact > approx > bounds, then the newer document, then the more
-- precisely written figure, then document_id and offset
statements_ranked as (

    select
        *,
        row_number() over (
            partition by resolution_grain, resolution_id, metric, dimension, resolution_period
            order by
                is_override desc,
                qualifier_priority asc,
                published_at desc nulls last,
                rounding_tolerance asc,
                document_id asc,
                char_start asc
        ) as choice_rank,
    from statements

),

chosen as (

    select * from statements_ranked
    where choice_rank = 1

),

-- each other statement of the key against the chosen one, in the same unit: the native one when the
-- currencies match, else CNY with 2% slack for the FX rate
pairs as (

    select
        other.resolution_grain,
        other.resolution_id,
        other.metric,
        other.dimension,
        other.resolution_period,
        other.value_text,
        other.qualifier,
        other.document_id,
        other.currency,
        chosen.qualifier as chosen_qualifier,
        other.currency = chosen.currency
        or (other.value_cny is not null and chosen.value_cny is not null) as is_comparable,
        sign(other.value) * sign(chosen.value) >= 0 as signs_agree,
        case
            when other.currency = chosen.currency then 1.0 else other.fx_rate_used
        end as other_scale,
        case
            when other.currency = chosen.currency then 1.0 else chosen.fx_rate_used
        end as chosen_scale,
        abs(other.value) as other_magnitude,
        abs(chosen.value) as chosen_magnitude,
        other.rounding_tolerance as other_tolerance,
        chosen.rounding_tolerance as chosen_tolerance,
        other.bound_span as other_span,
        chosen.bound_span as chosen_span,
        case
            when other.currency = chosen.currency then 0.0
            else 0.02 * greatest(abs(other.value_cny), abs(chosen.value_cny))
        end as fx_slack,
    from statements_ranked as other
    inner join chosen
        on
            other.resolution_grain = chosen.resolution_grain
            and other.resolution_id = chosen.resolution_id
            and other.metric = chosen.metric
            and other.dimension = chosen.dimension
            and other.resolution_period = chosen.resolution_period
    where other.choice_rank > 1

),

-- a statement that does not agree beyond rounding (macro statements_agree), or whose sign differs, conflicts;
-- statements in two currencies without a CNY value are not compared
comparisons as (

    select
        *,
        value_text || case when currency <> '' then ' ' || currency else '' end
        || ' (' || qualifier || ', ' || document_id || ')' as conflicting_value,
        not is_comparable
        or (
            signs_agree
            and coalesce({{ statements_agree(
                'other_magnitude * other_scale', 'qualifier', 'other_tolerance * other_scale',
                'other_span * other_scale',
                'chosen_magnitude * chosen_scale', 'chosen_qualifier', 'chosen_tolerance * chosen_scale',
                'chosen_span * chosen_scale',
                'fx_slack') }}, true)
        ) as is_consistent,
    from pairs

),

conflicts as (

    select
        resolution_grain,
        resolution_id,
        metric,
        dimension,
        resolution_period,
        -- ordered: an unordered string_agg lists the same parts in a different order from one build to the next
        string_agg(distinct conflicting_value, '; ' order by conflicting_value) as conflicting_values,
    from comparisons
    where not is_consistent
    group by resolution_grain, resolution_id, metric, dimension, resolution_period

),

source_counts as (

    select
        resolution_grain,
        resolution_id,
        metric,
        dimension,
        resolution_period,
        count(distinct document_id) as n_sources,
        count(*) as n_mentions,
        bool_or(is_override) as any_override,
        string_agg(figure_id, '|' order by figure_id) as source_figure_ids,
    from statements_ranked
    group by resolution_grain, resolution_id, metric, dimension, resolution_period

),

resolved as (

    select
        chosen.* exclude (choice_rank, is_override, qualifier_priority, bound_span),  -- noqa: RF02
        source_counts.any_override as is_override,
        source_counts.n_sources,
        source_counts.n_mentions,
        source_counts.source_figure_ids,
        conflicts.conflicting_values is not null as has_conflict,
        coalesce(conflicts.conflicting_values, '') as conflicting_values,
    from chosen
    inner join source_counts
        on
            chosen.resolution_grain = source_counts.resolution_grain
            and chosen.resolution_id = source_counts.resolution_id
            and chosen.metric = source_counts.metric
            and chosen.dimension = source_counts.dimension
            and chosen.resolution_period = source_counts.resolution_period
    left join conflicts
        on
            chosen.resolution_grain = conflicts.resolution_grain
            and chosen.resolution_id = conflicts.resolution_id
            and chosen.metric = conflicts.metric
            and chosen.dimension = conflicts.dimension
            and chosen.resolution_period = conflicts.resolution_period

)

select * from resolved
