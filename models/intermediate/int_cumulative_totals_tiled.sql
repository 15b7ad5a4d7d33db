-- For every stated cumulative (CUM) money or count figure, the resolved figures of the same company,
-- metric, dimension and currency whose periods tile its span exactly: consecutive, non-overlapping, from
-- period_start to period_end. All tilings are enumerated; the one with the fewest parts is kept.
with recursive

stated as (

    select * from {{ ref('int_figures_stated') }}

),

resolved as (

    select * from {{ ref('int_figures_deduplicated') }}

),

totals as (

    select
        figure_id as total_figure_id,
        company_id,
        metric,
        dimension,
        currency,
        period_start,
        period_end,
    from stated
    where period_type = 'CUM' and unit_kind in ('money', 'count')

),

parts as (

    select
        company_id,
        metric,
        dimension,
        currency,
        period_label,
        period_start,
        period_end,
        value,
        rounding_tolerance,
        is_override,
    from resolved
    where period_type not in ('CUM', 'AS_OF')

),

tilings as (

    select
        total_figure_id,
        period_start as next_start,
        0 as n_parts,
        cast(0 as double) as sum_value,
        cast(0 as double) as sum_tolerance,
        '' as part_labels,
        false as any_override,
    from totals

    union all

    select
        tilings.total_figure_id,
        cast(parts.period_end + interval 1 day as date) as next_start,
        tilings.n_parts + 1 as n_parts,
        tilings.sum_value + parts.value as sum_value,
        tilings.sum_tolerance + parts.rounding_tolerance as sum_tolerance,
        tilings.part_labels || case when tilings.n_parts > 0 then ' + ' else '' end || parts.period_label
            as part_labels,
        tilings.any_override or parts.is_override as any_override,
    from tilings
    inner join totals
        on tilings.total_figure_id = totals.total_figure_id
    inner join parts
        on
            totals.company_id = parts.company_id
            and totals.metric = parts.metric
            and totals.dimension = parts.dimension
            and totals.currency = parts.currency
            and tilings.next_start = parts.period_start
            and totals.period_end >= parts.period_end

),

complete_tilings as (

    select tilings.*
    from tilings
    inner join totals
        on tilings.total_figure_id = totals.total_figure_id
    where
        tilings.n_parts > 0
        and tilings.next_start = cast(totals.period_end + interval 1 day as date)
    qualify row_number() over (
        partition by tilings.total_figure_id
        order by tilings.n_parts, tilings.part_labels
    ) = 1

),

final as (

    select
        total_figure_id,
        n_parts,
        sum_value,
        sum_tolerance,
        part_labels,
        any_override,
    from complete_tilings

)

select * from final
