-- Check cumulative_total: a stated cumulative total against the sum of the periods that tile it
-- (int_cumulative_totals_tiled). Columns shared by every int_reconciliation__ model; reconciliation unions them.
with

stated as (

    select * from {{ ref('int_figures_stated') }}

),

tilings as (

    select * from {{ ref('int_cumulative_totals_tiled') }}

),

checks as (

    select
        'cumulative_total' as check_type,
        stated.figure_id,
        stated.company_id,
        stated.metric,
        stated.period_label,
        stated.currency,
        stated.value as stated_value,
        tilings.sum_value as computed_value,
        stated.rounding_tolerance as stated_tolerance,
        tilings.sum_tolerance as computed_tolerance,
        stated.qualifier,
        'sum of ' || tilings.part_labels as detail,
        stated.document_id,
        stated.quote,
        stated.is_override or tilings.any_override as is_override,
    from stated
    inner join tilings
        on stated.figure_id = tilings.total_figure_id

),

final as (

    select
        *,
        {{ check_passes('stated_value', 'qualifier', 'stated_tolerance', 'computed_value', 'computed_tolerance') }}
            as passed,
    from checks

)

select * from final
