with

mentions as (

    select * from {{ ref('stg_ingest__unclassified_mentions') }}

),

final as (

    select
        mention_id,
        document_id,
        company_id,
        value,
        unit,
        currency,
        value_text,
        char_start,
        char_end,
        quote,
        reason,
    from mentions

)

select * from final
