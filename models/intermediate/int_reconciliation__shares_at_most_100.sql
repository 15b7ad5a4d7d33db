-- Check shares_at_most_100: shares of one whole must add up to at most 100%: revenue shares per kind of
-- dimension (segment, deployment ...), use-of-proceeds shares per offering date. One row per group, named
-- by its smallest figure_id.
with

resolved as (

    select * from {{ ref('int_figures_deduplicated') }}
    where metric in ('revenue_share_pct', 'use_of_proceeds_pct')

),

share_groups as (

    select
        company_id,
        metric,
        period_label,
        case
            when metric = 'revenue_share_pct' then dimension_kind
            else 'purpose'
        end as share_kind,
        sum(value) as computed_value,
        sum(rounding_tolerance) as computed_tolerance,
        -- the smallest total the stated shares allow: bounds from above count as 0
        sum(
            case
                when qualifier = 'upper_bound' then 0.0
                when qualifier = 'lower_bound' then value
                else value - rounding_tolerance
            end
        ) as minimum_total,
        count(*) as n_shares,
        string_agg(dimension || '=' || value_text, '; ' order by dimension) as share_list,
        max(document_id) as document_id,
        -- ordered: an unordered string_agg lists the same parts in a different order from one build to the next
        string_agg(distinct quote, ' | ' order by quote) as quote,
        bool_or(is_override) as is_override,
        min(figure_id) as figure_id,
    from resolved
    group by all

),

final as (

    select
        'shares_at_most_100' as check_type,
        figure_id,
        company_id,
        metric,
        period_label,
        '' as currency,
        -- double like the other checks' stated values, so the union keeps its type
        cast(100.0 as double) as stated_value,
        computed_value,
        cast(0.0 as double) as stated_tolerance,
        computed_tolerance,
        'upper_bound' as qualifier,
        share_kind || ' shares: ' || share_list as detail,
        document_id,
        quote,
        is_override,
        -- the stated whole is a bound from above: compared with the smallest total, not check_passes
        minimum_total <= 100.0 as passed,
    from share_groups

)

select * from final
