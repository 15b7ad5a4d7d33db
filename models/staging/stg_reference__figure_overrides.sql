with

source as (

    select * from {{ ref('ref_figure_overrides') }}

),

renamed as (

    select
        cast(figure_id as varchar) as figure_id,
        cast(field as varchar) as field_name,
        cast(new_value as varchar) as new_value,
        cast(reason as varchar) as override_reason,
        cast(reviewed_by as varchar) as reviewed_by,
        cast(reviewed_at as date) as reviewed_at,
    from source

)

select * from renamed
