/* domu.c - helpers for tests with boot-time domains (see domu.h). */
#include "guest.h"
#include "domu.h"

#define RENDEZVOUS_PORTS    64

bool guest_is_dom0(void)
{
    return start_info->flags & SIF_INITDOMAIN;
}

bool guest_cmdline_option(const char *name, char *val, size_t size)
{
    const char *p = (const char *)start_info->cmd_line;
    size_t n = strlen(name);

    while ( *p )
    {
        while ( *p == ' ' )
            p++;
        if ( !strncmp(p, name, n) && (p[n] == '=' || p[n] == ' ' || p[n] == '\0') )
        {
            size_t i = 0;

            if ( p[n] == '=' )
                for ( p += n + 1; *p && *p != ' ' && i + 1 < size; p++ )
                    val[i++] = *p;
            if ( size )
                val[i] = '\0';
            return true;
        }
        while ( *p && *p != ' ' )
            p++;
    }
    return false;
}

unsigned long guest_cmdline_number(const char *name, unsigned long dflt)
{
    char buf[24];
    unsigned long v = 0;
    const char *p;

    if ( !guest_cmdline_option(name, buf, sizeof(buf)) || !buf[0] )
        return dflt;
    for ( p = buf; *p >= '0' && *p <= '9'; p++ )
        v = v * 10 + (unsigned long)(*p - '0');
    return *p ? dflt : v;
}

static bool port_pending(evtchn_port_t port)
{
    return ACCESS_ONCE(shared_info->evtchn_pending[port / 64]) & (1ul << (port % 64));
}

bool domu_wait_port(evtchn_port_t port, uint64_t timeout_ns)
{
    uint64_t deadline = guest_system_time() + timeout_ns;
    struct sched_poll poll;

    set_xen_guest_handle(poll.ports, &port);
    poll.nr_ports = 1;
    poll.timeout = deadline;
    while ( !port_pending(port) )
    {
        if ( guest_system_time() >= deadline )
            return false;
        hypercall_sched_op(SCHEDOP_poll, &poll);
    }
    __atomic_and_fetch(&shared_info->evtchn_pending[port / 64], ~(1ul << (port % 64)), __ATOMIC_SEQ_CST);
    return true;
}

long domu_bind_offered_port(domid_t remote, uint64_t timeout_ns, evtchn_port_t *remote_port)
{
    uint64_t deadline = guest_system_time() + timeout_ns;
    evtchn_port_t p;

    for ( ;; )
    {
        for ( p = 1; p < RENDEZVOUS_PORTS; p++ )
        {
            struct evtchn_bind_interdomain b = { .remote_dom = remote, .remote_port = p };
            long rc = hypercall_event_channel_op(EVTCHNOP_bind_interdomain, &b);

            if ( rc == 0 )
            {
                *remote_port = p;
                return b.local_port;
            }
            if ( rc != -EINVAL )
                return rc;      /* -ESRCH: no such domain (yet, or any more); anything else is odd */
        }
        if ( guest_system_time() >= deadline )
            return -ETIMEDOUT;
        hypercall_sched_op(SCHEDOP_yield, NULL);
    }
}

long domu_send(evtchn_port_t port)
{
    struct evtchn_send s = { .port = port };

    return hypercall_event_channel_op(EVTCHNOP_send, &s);
}
