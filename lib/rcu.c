/* rcu: see rcu.h for the contract.  Everything here forwards to liburcu's
 * QSBR flavour (urcu_qsbr_*), inlined through _LGPL_SOURCE: quiescing and
 * going on- or offline are a few stores and a fence, cheap enough for a
 * PMD thread to do every iteration. */
#include <config.h>
#include "rcu.h"

#define _LGPL_SOURCE 1
#include <urcu/urcu-qsbr.h>

#include "util.h"

/* Whether the calling thread is a registered reader. */
static __thread bool rcu_registered;

/* Registers the calling thread as an RCU reader (online).  Idempotent. */
void
rcu_thread_register(void)
{
    if (!rcu_registered) {
        urcu_qsbr_register_thread();
        rcu_registered = true;
    }
}

/* Unregisters the calling thread, which must not use RCU pointers
 * obtained earlier afterwards.  Idempotent. */
void
rcu_thread_unregister(void)
{
    if (rcu_registered) {
        urcu_qsbr_unregister_thread();
        rcu_registered = false;
    }
}

bool
rcu_thread_is_registered(void)
{
    return rcu_registered;
}

/* Declares a quiescent state.  A no-op in threads that are not
 * registered readers (they hold no RCU pointers by definition). */
void
rcu_quiesce(void)
{
    if (rcu_registered) {
        urcu_qsbr_quiescent_state();
    }
}

/* Goes offline before blocking.  Calls may not nest. */
void
rcu_quiesce_start(void)
{
    if (rcu_registered) {
        urcu_qsbr_thread_offline();
    }
}

/* Comes back online after rcu_quiesce_start(). */
void
rcu_quiesce_end(void)
{
    if (rcu_registered) {
        urcu_qsbr_thread_online();
    }
}

struct rcu_postponed {
    struct rcu_head head;
    void (*function)(void *aux);
    void *aux;
};

static void
rcu_run_postponed(struct rcu_head *head)
{
    struct rcu_postponed *p = CONTAINER_OF(head, struct rcu_postponed, head);

    p->function(p->aux);
    free(p);
}

void
rcu_postpone__(void (*function)(void *aux), void *aux)
{
    struct rcu_postponed *p = xmalloc(sizeof *p);

    p->function = function;
    p->aux = aux;

    /* call_rcu() wants a registered, online caller.  An unregistered
     * caller registers just for the call: it then never holds up a grace
     * period, and cannot exit with a stale registration. */
    if (rcu_registered) {
        urcu_qsbr_call_rcu(&p->head, rcu_run_postponed);
    } else {
        urcu_qsbr_register_thread();
        urcu_qsbr_call_rcu(&p->head, rcu_run_postponed);
        urcu_qsbr_unregister_thread();
    }
}

/* Waits for a grace period.  liburcu takes a registered, online caller
 * offline for the duration itself. */
void
rcu_synchronize(void)
{
    urcu_qsbr_synchronize_rcu();
}

/* Waits until every callback postponed so far has run.  rcu_barrier()
 * must not be called from within a read-side critical section, which for
 * QSBR means "while online". */
void
rcu_wait_postponed(void)
{
    bool online = rcu_registered;

    if (online) {
        urcu_qsbr_thread_offline();
    }
    urcu_qsbr_barrier();
    if (online) {
        urcu_qsbr_thread_online();
    }
}
