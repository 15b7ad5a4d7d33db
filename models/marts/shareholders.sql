-- One row per company × holder × role. When several documents name the same holder in the same role,
-- the newest document's row is kept (then the one with a stake, then the first mention).
with

holders as (

    select * from {{ ref('stg_ingest__shareholders') }}

),

documents as (

    select * from {{ ref('stg_ingest__documents') }}

),

holders_ranked as (

    select
        holders.*,
        count(distinct holders.document_id) over (
            partition by holders.company_id, holders.holder_name, holders.holder_type
        ) as n_sources,
        row_number() over (
            partition by holders.company_id, holders.holder_name, holders.holder_type
            order by
                documents.published_at desc nulls last,
                holders.stake_pct is null asc,
                holders.document_id asc,
                holders.char_start asc
        ) as holder_rank,
    from holders
    left join documents
        on holders.document_id = documents.document_id

),

final as (

    select
        holder_id,
        company_id,
        holder_name,
        holder_name_en,
        holder_type,
        parent_entity,
        stake_pct,
        subscription_amount,
        currency,
        qualifier,
        as_of,
        n_sources,
        document_id,
        char_start,
        char_end,
        quote,
    from holders_ranked
    where holder_rank = 1

)

select * from final
