/* view.c — see view.h. */
#include "view.h"

int observe_view_open(struct observe_view *v, const struct observe_config *cfg,
                      enum observe_form form, char *why, size_t whylen)
{
    *v = (struct observe_view){.form = form};
    v->w = observe_world_new(cfg, why, whylen);
    return v->w ? 0 : -1;
}

void observe_view_close(struct observe_view *v)
{
    observe_world_free(v->w);
    observe_dense_free(&v->dense);
    observe_sparse_free(&v->sparse);
    *v = (struct observe_view){0};
}

int observe_view_step(struct observe_view *v, struct observe_counts *c)
{
    if (observe_step(v->w, c) != 0)
        return -1;
    v->steps++;
    return 0;
}

int observe_view_build(struct observe_view *v, uint32_t id, struct observe_counts *c)
{
    return v->form == OBSERVE_DENSE ? observe_dense(v->w, id, &v->dense, c)
                                    : observe_sparse(v->w, id, &v->sparse, c);
}

uint64_t observe_view_checksum(const struct observe_view *v)
{
    return v->form == OBSERVE_DENSE ? observe_checksum_dense(&v->dense)
                                    : observe_checksum_sparse(&v->sparse);
}

float observe_view_at(const struct observe_view *v, uint32_t ch, uint32_t row, uint32_t col)
{
    return v->form == OBSERVE_DENSE ? observe_dense_at(&v->dense, ch, row, col)
                                    : observe_sparse_at(&v->sparse, ch, row, col);
}
