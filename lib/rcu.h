/*
 * rcu: read-copy-update, Plexus's thin layer over liburcu's QSBR flavour.
 *
 * Readers of RCU-protected data (PMD threads looking up flows, say) take
 * no lock and execute no atomic read-modify-write: they load a pointer
 * with rcu_get() and use what it points to.  A writer never changes data
 * a reader may be looking at; it builds a new version, publishes it with
 * rcu_set(), and hands the old version to rcu_postpone(), which frees it
 * once no reader can still hold it.
 *
 * The QSBR contract ("quiescent-state-based reclamation"):
 *
 *   - A thread that reads RCU-protected data must first call
 *     rcu_thread_register().  Unregistered threads must not read
 *     RCU-protected data: nothing would stop it being freed under them.
 *
 *   - A registered thread is "online" and is assumed to be reading at
 *     every instant, except when it says otherwise.  It must regularly
 *     call rcu_quiesce(), which declares that it holds no pointer to
 *     RCU-protected data obtained before the call (PMD threads call it
 *     once per loop iteration).  Until every online thread has quiesced,
 *     no postponed callback runs and rcu_synchronize() does not return.
 *
 *   - Before blocking (poll(), a condition wait, a long sleep) a
 *     registered thread must go offline with rcu_quiesce_start(), and
 *     come back with rcu_quiesce_end() before reading again.  An offline
 *     thread holds no RCU pointers and never delays a grace period.
 *
 *   - A registered thread must call rcu_thread_unregister() before it
 *     exits.
 *
 * rcu_postpone(FUNC, AUX) arranges for FUNC(AUX) to run in liburcu's
 * call_rcu helper thread after a grace period: after every thread that
 * was online when rcu_postpone() was called has quiesced or gone
 * offline.  So if a writer unpublishes an object and then postpones its
 * destruction, no reader can still see the object when FUNC runs.
 * Callbacks postponed by one thread run in the order they were
 * postponed (one FIFO helper), each on the helper thread, which is a
 * registered reader itself: a callback may postpone further work but
 * must not call rcu_synchronize() or rcu_wait_postponed().
 *
 * rcu_postpone() may be called from any thread, registered or not (an
 * unregistered caller is registered with liburcu just for the call, as
 * call_rcu() requires, which costs a mutex: hot writers register).
 *
 * rcu_synchronize() waits for a full grace period (registered or not;
 * a registered caller goes offline while it waits).
 * rcu_wait_postponed() waits until every callback postponed so far, by
 * any thread, has run: for tests and orderly shutdown.
 */
#ifndef PLX_RCU_H
#define PLX_RCU_H 1

#include <stdbool.h>
/* Inline rcu_dereference() and rcu_assign_pointer() (a plain load and a
 * release store on x86) instead of calling into liburcu for each. */
#ifndef URCU_INLINE_SMALL_FUNCTIONS
#define URCU_INLINE_SMALL_FUNCTIONS 1
#endif
#include <urcu/pointer.h>

/* Typed RCU pointer access.  rcu_get() is a dependency-ordered load for
 * readers; rcu_set() is a release store that publishes everything the
 * writer wrote to *VALUE before it.  rcu_init() is a plain store for an
 * object no reader can see yet. */
#define rcu_get(PTR) rcu_dereference(PTR)
#define rcu_set(PTR, VALUE) rcu_assign_pointer(PTR, VALUE)
#define rcu_init(PTR, VALUE) ((PTR) = (VALUE))

void rcu_thread_register(void);
void rcu_thread_unregister(void);
bool rcu_thread_is_registered(void);

void rcu_quiesce(void);
void rcu_quiesce_start(void);
void rcu_quiesce_end(void);

void rcu_postpone__(void (*function)(void *aux), void *aux);
/* Type-checked: FUNCTION must take a pointer of AUX's type. */
#define rcu_postpone(FUNCTION, AUX)                                     \
    ((void) sizeof ((FUNCTION)(AUX), 0),                                \
     rcu_postpone__((void (*)(void *)) (FUNCTION), AUX))

void rcu_synchronize(void);
void rcu_wait_postponed(void);

#endif /* rcu.h */
