with

source as (

    select * from {{ ref('ref_metrics') }}

),

renamed as (

    select
        cast(metric as varchar) as metric,
        cast(table_name as varchar) as table_name,
        cast(unit_kind as varchar) as unit_kind,
        cast(metric_family as varchar) as metric_family,
        coalesce(cast(base_metric as varchar), '') as base_metric,
        cast(name_zh as varchar) as name_zh,
        cast(name_en as varchar) as name_en,
        cast(description as varchar) as metric_description,
    from source

)

select * from renamed
