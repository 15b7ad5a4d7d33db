{#
    CTEs that resolve several statements of one figure into one row per `key_columns` (ends with a CTE named
    `resolved`; the caller writes `with <input cte>, {{ resolve_figures('<input cte>', [...]) }} select ...`).
    The input needs the columns of int_figures_measured.

    Choice: a reviewed override first, then exact > approx > bounds, then the newer document, then the more
    precisely written figure (smaller rounding tolerance), then document_id and char_start.
    Conflict: another statement that does not agree with the chosen one beyond rounding (macro
    statements_agree), or whose sign differs. Statements in another currency are compared on value_cny with
    2% slack for the FX rate; when a CNY value is missing they are not compared.
#}
{% macro resolve_figures(input, key_columns) -%}
{#- key lists and join conditions spelled out once, so the SQL below has no loops -#}
{%- set keys = key_columns | join(', ') -%}
{%- set other_keys, other_on_chosen, chosen_on_counts, chosen_on_conflicts = [], [], [], [] -%}
{%- for key in key_columns -%}
{%- do other_keys.append('other.' ~ key) -%}
{%- do other_on_chosen.append('other.' ~ key ~ ' = chosen.' ~ key) -%}
{%- do chosen_on_counts.append('chosen.' ~ key ~ ' = source_counts.' ~ key) -%}
{%- do chosen_on_conflicts.append('chosen.' ~ key ~ ' = conflicts.' ~ key) -%}
{%- endfor -%}
figures_ranked as (

    select
        *,
        row_number() over (
            partition by {{ keys }}
            order by
                is_override desc,
                qualifier_priority asc,
                published_at desc nulls last,
                rounding_tolerance asc,
                document_id asc,
                char_start asc
        ) as choice_rank,
    from {{ input }}

),

chosen as (

    select * from figures_ranked
    where choice_rank = 1

),

-- each other statement of the key against the chosen one, in the same unit: the native one when the
-- currencies match, else CNY with 2% slack for the FX rate
pairs as (

    select
        {{ other_keys | join(', ') }},
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
    from figures_ranked as other
    inner join chosen
        on {{ other_on_chosen | join(' and ') }}
    where other.choice_rank > 1

),

comparisons as (

    select
        *,
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
        {{ keys }},
        string_agg(
            distinct value_text || case when currency <> '' then ' ' || currency else '' end
            || ' (' || qualifier || ', ' || document_id || ')',
            '; '
        ) as conflicting_values,
    from comparisons
    where not is_consistent
    group by {{ keys }}

),

source_counts as (

    select
        {{ keys }},
        count(distinct document_id) as n_sources,
        count(*) as n_mentions,
        bool_or(is_override) as any_override,
        string_agg(figure_id, '|' order by figure_id) as source_figure_ids,
    from figures_ranked
    group by {{ keys }}

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
        on {{ chosen_on_counts | join(' and ') }}
    left join conflicts
        on {{ chosen_on_conflicts | join(' and ') }}

)
{%- endmacro %}
