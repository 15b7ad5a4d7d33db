with

paired as (

    select * from {{ ref('int_use_of_proceeds_paired') }}

),

final as (

    select
        offering_id,
        company_id,
        dimension,
        purpose,
        use_of_proceeds_pct,
        pct_qualifier,
        use_of_proceeds_amount,
        amount_currency,
        amount_qualifier,
        use_of_proceeds_amount_cny,
        -- the total the pair implies (amount is pct % of it), same currency as the amount
        case
            when use_of_proceeds_pct > 0
                then use_of_proceeds_amount / use_of_proceeds_pct * 100
        end as implied_total_derived,
        period_label,
        document_id,
        quote,
        is_override,
    from paired

)

select * from final
