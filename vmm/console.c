/*
 * vmm/console.c: the guest's serial console.  See console.h.
 */
#include <config.h>
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "poll-loop.h"
#include "socket-util.h"
#include "uart.h"
#include "util.h"


struct console {
    int log_fd;
    int listen_fd;
    char *socket_path;
    struct uart *uart;

    pthread_mutex_t mutex;      /* Guards 'clients' against output. */
    int clients[CONSOLE_MAX_CLIENTS];
    size_t n_clients;
};

int
console_create(const char *log_file, const char *socket_path,
               struct console **consolep, char **errp)
{
    struct console *c = xzalloc(sizeof *c);

    *consolep = NULL;
    *errp = NULL;
    c->log_fd = c->listen_fd = -1;
    pthread_mutex_init(&c->mutex, NULL);
    if (log_file) {
        c->log_fd = open(log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                         0640);
        if (c->log_fd < 0) {
            int error = errno;
            *errp = xasprintf("console log %s: %s", log_file,
                              plx_strerror(error));
            console_destroy(c);
            return error;
        }
    }
    if (socket_path) {
        int fd = make_unix_socket(SOCK_STREAM, true, socket_path, NULL);
        int error = fd < 0 ? -fd : listen(fd, 4) ? errno : 0;
        c->listen_fd = fd;
        if (error) {
            *errp = xasprintf("console socket %s: %s", socket_path,
                              plx_strerror(error));
            console_destroy(c);
            return error;
        }
        c->socket_path = xstrdup(socket_path);
    }
    *consolep = c;
    return 0;
}

void
console_destroy(struct console *c)
{
    if (!c) {
        return;
    }
    for (size_t i = 0; i < c->n_clients; i++) {
        close(c->clients[i]);
    }
    if (c->listen_fd >= 0) {
        close(c->listen_fd);
        if (c->socket_path) {
            unlink(c->socket_path);
        }
    }
    if (c->log_fd >= 0) {
        close(c->log_fd);
    }
    pthread_mutex_destroy(&c->mutex);
    free(c->socket_path);
    free(c);
}

void
console_set_uart(struct console *c, struct uart *uart)
{
    c->uart = uart;
}

void
console_output(void *c_, const uint8_t *data, size_t n)
{
    struct console *c = c_;

    if (c->log_fd >= 0) {
        size_t done = 0;
        while (done < n) {
            ssize_t w = write(c->log_fd, data + done, n - done);
            if (w < 0 && errno == EINTR) {
                continue;
            } else if (w <= 0) {
                break;
            }
            done += w;
        }
    }
    pthread_mutex_lock(&c->mutex);
    for (size_t i = 0; i < c->n_clients; i++) {
        /* Never blocks the vCPU: a slow reader loses output. */
        ssize_t retval = send(c->clients[i], data, n,
                              MSG_DONTWAIT | MSG_NOSIGNAL);
        (void) retval;
    }
    pthread_mutex_unlock(&c->mutex);
}

static void
console_remove_client(struct console *c, size_t i)
{
    pthread_mutex_lock(&c->mutex);
    close(c->clients[i]);
    c->clients[i] = c->clients[--c->n_clients];
    pthread_mutex_unlock(&c->mutex);
}

void
console_run(struct console *c)
{
    if (c->listen_fd >= 0) {
        int fd = accept4(c->listen_fd, NULL, NULL,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            if (c->n_clients < CONSOLE_MAX_CLIENTS) {
                pthread_mutex_lock(&c->mutex);
                c->clients[c->n_clients++] = fd;
                pthread_mutex_unlock(&c->mutex);
            } else {
                static const char full[] = "plx-vm: too many console "
                                           "clients\r\n";
                ssize_t retval = send(fd, full, sizeof full - 1,
                                      MSG_DONTWAIT | MSG_NOSIGNAL);
                (void) retval;
                close(fd);
            }
        }
    }
    /* Input: only as much as the UART's receive FIFO has room for, so
     * that nothing is dropped; the rest waits in the socket until the
     * guest reads (console_wait() then polls on a timer). */
    for (size_t i = 0; i < c->n_clients; ) {
        uint8_t buf[256];
        size_t room = c->uart ? MIN(uart_input_room(c->uart), sizeof buf)
                              : sizeof buf;
        if (!room) {
            break;
        }
        ssize_t n = recv(c->clients[i], buf, room, MSG_DONTWAIT);
        if (n > 0) {
            if (c->uart) {
                uart_input(c->uart, buf, n);
            }
            i++;
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            console_remove_client(c, i);
        } else {
            i++;
        }
    }
}

void
console_wait(struct console *c)
{
    if (c->listen_fd >= 0) {
        poll_fd_wait(c->listen_fd, POLLIN);
    }
    if (c->uart && c->n_clients && !uart_input_room(c->uart)) {
        poll_timer_wait(10);    /* The guest has not read its input yet. */
        return;
    }
    for (size_t i = 0; i < c->n_clients; i++) {
        poll_fd_wait(c->clients[i], POLLIN);
    }
}
