-- value_cny never uses a rate dated after the figure (period_end, else the publication date).
select
    fct_figures.figure_id,
    fct_figures.fx_rate_date,
    fct_figures.period_end,
    dim_documents.published_at,
from {{ ref('fct_figures') }} as fct_figures
left join {{ ref('dim_documents') }} as dim_documents
    on fct_figures.document_id = dim_documents.document_id
where fct_figures.fx_rate_date > coalesce(fct_figures.period_end, dim_documents.published_at)
