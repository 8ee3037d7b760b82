// SPDX-License-Identifier: Apache-2.0
// The way to the server for one command: a connection made again, with backoff, as it breaks.
#include "session.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <poll.h>
#include <random>

#include "redis/cluster.hpp"
#include "redis/sentinel.hpp"
#include "server.hpp"
#include "util/log.hpp"
#include "util/signals.hpp"
#include "util/text.hpp"

namespace rbarrier {

namespace {

constexpr Duration k_first_backoff{50};
constexpr Duration k_max_backoff{5000};
// The time the last attempt before a deadline is given: a connection and one reply nearby, on
// a loaded machine too (the 250 ms a blocking read is given past its deadline).
constexpr Duration k_last_attempt{250};

// Sleeps until `until`, waking early (and throwing Interrupted) on a signal.
void sleep_until(Deadline until, int wake_fd) {
  pollfd fd{wake_fd, POLLIN, 0};
  while (Clock::now() < until) {
    if (::poll(&fd, wake_fd >= 0 ? 1 : 0, poll_timeout_ms(until)) > 0) {
      if (const int signo = signals::woken()) {
        throw Interrupted(signo);
      }
    }
  }
}

} // namespace

Session::Session(const ServerOptions& options)
    : m_connect_deadline(Clock::now() + options.connect_timeout),
      m_connect_timeout(options.connect_timeout), m_wait_replicas(options.wait_replicas),
      m_wake_fd(signals::wake_fd()), m_backoff(k_first_backoff) {
  Server server = resolve_server(options, m_connect_deadline);
  m_endpoint = std::move(server.endpoint);
  m_credentials = std::move(server.credentials);
  if (m_endpoint.tls) {
    m_tls = std::make_unique<redis::TlsContext>(options.tls);
  }
  if (server.password_on_command_line) {
    log::warning("a password in --url can be seen by other users of this machine; "
                 "prefer --password-file or RBARRIER_PASSWORD");
  }
  if (m_endpoint.kind == redis::Endpoint::Kind::tcp && m_endpoint.sentinels.empty()) {
    m_nodes.push_back({m_endpoint.host, m_endpoint.port});
  }
}

Deadline Session::bounded(Deadline deadline) const {
  return m_connected_once ? deadline : std::min(deadline, m_connect_deadline);
}

redis::Connection& Session::connection(Deadline deadline) {
  if (!m_connection) {
    m_connection = open(deadline);
  }
  return *m_connection;
}

std::unique_ptr<redis::Connection> Session::open(Deadline deadline) {
  if (!m_endpoint.sentinels.empty() && !m_master) {
    m_master = redis::resolve_master(m_endpoint, bounded(deadline), m_wake_fd);
  }
  const redis::Endpoint& target = m_master ? *m_master : m_endpoint;
  std::unique_ptr<redis::Connection> connection;
  try {
    connection = std::make_unique<redis::Connection>(target, m_credentials, bounded(deadline),
                                                     m_wake_fd, m_tls.get());
  } catch (const ConnectionError&) {
    m_master.reset();
    next_cluster_node();
    throw;
  }
  m_connected_once = true;
  return connection;
}

void Session::next_cluster_node() {
  if (m_nodes.size() < 2) {
    return;
  }
  const redis::Endpoint::Address failed{m_endpoint.host, m_endpoint.port};
  const auto at = std::find(m_nodes.begin(), m_nodes.end(), failed);
  const auto& next = at == m_nodes.end() || at + 1 == m_nodes.end() ? m_nodes.front() : *(at + 1);
  log::verbose("{} cannot be reached: asking the cluster node {}:{}", m_endpoint.display(),
               next.host, next.port);
  m_endpoint.host = next.host;
  m_endpoint.port = next.port;
}

void Session::remember(const redis::Endpoint::Address& node) {
  if (!m_nodes.empty() && std::find(m_nodes.begin(), m_nodes.end(), node) == m_nodes.end()) {
    m_nodes.push_back(node);
  }
}

void Session::learn_cluster(Deadline deadline) {
  if (m_nodes.empty() || !m_connection) {
    return;
  }
  try {
    const auto reply = m_connection->command({"CLUSTER", "SLOTS"},
                                             std::min(deadline, Clock::now() + k_reply_timeout));
    if (reply.is_error()) {
      return; // not a cluster (or not allowed to ask): nothing to learn
    }
    for (const auto& node : redis::parse_cluster_nodes(reply, m_endpoint.host)) {
      remember(node);
    }
    log::verbose("{} nodes of the cluster known", m_nodes.size());
  } catch (const ConnectionError&) {
    m_connection.reset();
  } catch (const ProtocolError&) {
    m_connection.reset();
  }
}

std::vector<redis::Endpoint::Address> Session::cluster_masters(Deadline deadline) {
  return run(
      [&](redis::Connection& connection, Deadline attempt) {
        const auto reply = connection.command({"CLUSTER", "SLOTS"}, attempt);
        return reply.is_error() ? std::vector<redis::Endpoint::Address>{}
                                : redis::parse_cluster_masters(reply, m_endpoint.host);
      },
      deadline);
}

std::unique_ptr<redis::Connection> Session::connect_to(const redis::Endpoint::Address& node,
                                                       Deadline deadline) {
  redis::Endpoint target = m_endpoint;
  target.host = node.host;
  target.port = node.port;
  return std::make_unique<redis::Connection>(target, m_credentials, bounded(deadline), m_wake_fd,
                                             m_tls.get());
}

void Session::restored(const redis::Connection& connection) {
  m_backoff = k_first_backoff; // the next loss starts from a short pause again
  if (m_lost) {
    m_lost = false;
    log::warning(fmt::format("reconnected to {}", connection.peer()));
  }
}

void Session::note_lost(const Error& error) {
  m_master.reset();
  if (!m_lost && m_connected_once) {
    m_lost = true;
    log::warning(fmt::format("{}; retrying", error.what()));
  }
}

void Session::retry_after(const Error& error, Deadline deadline) {
  m_connection.reset();
  const Deadline end = bounded(deadline);
  // An attempt that the deadline cut short says nothing about the server: not a loss.
  if (Clock::now() < end) {
    note_lost(error);
  }
  if (Clock::now() + k_last_attempt >= end) {
    // An attempt that the deadline cut short ended for want of time: the attempt before it
    // (READONLY, a refused connection, a failed handshake) says why the command failed.
    if (m_previous && Clock::now() >= end) {
      std::rethrow_exception(m_previous);
    }
    throw; // NOLINT: rethrows the error being handled by run()
  }
  // Full jitter over the upper half of the backoff: parties that lost the server together do
  // not come back together.
  static std::minstd_rand random{std::random_device{}()};
  const auto half = m_backoff.count() / 2;
  const Duration pause{half + static_cast<Duration::rep>(random() % (half + 1))};
  m_backoff = std::min(m_backoff * 2, k_max_backoff);
  m_previous = std::current_exception();
  // A pause that would pass the deadline is shortened: the last attempt is made just before it,
  // not skipped, so that a server back shortly before the deadline is still found.
  sleep_until(std::min(Clock::now() + pause, end - k_last_attempt), m_wake_fd);
}

bool Session::redirect(std::string_view error, int redirections) {
  const auto redirection = redis::parse_redirection(error);
  if (!redirection) {
    return false;
  }
  constexpr int k_max_redirections = 16;
  if (redirections > k_max_redirections) {
    throw ProtocolError(
        fmt::format("more than {} cluster redirections, the last: {}", k_max_redirections, error));
  }
  redis::Endpoint target = m_endpoint;
  if (redirection->host) {
    target.host = *redirection->host;
  }
  target.port = redirection->port;
  log::verbose("{}: to {}", redirection->moved ? "moved" : "asked", target.display());
  remember({target.host, target.port});
  if (redirection->moved) {
    m_endpoint = target;
    m_connection.reset();
  } else {
    m_ask = target;
  }
  return true;
}

void Session::wait_for_replicas(std::string_view barrier) {
  if (m_wait_replicas == 0) {
    return;
  }
  const Deadline deadline = Clock::now() + m_connect_timeout + k_reply_timeout;
  try {
    const auto acknowledged = connection(deadline)
                                  .command({"WAIT", std::to_string(m_wait_replicas),
                                            std::to_string(m_connect_timeout.count())},
                                           deadline)
                                  .as_integer("WAIT");
    if (acknowledged < m_wait_replicas) {
      log::warning(fmt::format("only {} of {} replicas have the outcome of barrier {}",
                               acknowledged, m_wait_replicas, quote(barrier)));
    } else {
      log::verbose("{} replicas have the outcome of barrier {}", acknowledged, quote(barrier));
    }
  } catch (const Error& error) {
    m_connection.reset();
    log::warning(
        fmt::format("could not WAIT for replicas of barrier {}: {}", quote(barrier), error.what()));
  }
}

void Session::stop_interrupting() {
  m_connection.reset();
  m_wake_fd = -1;
}

void Session::wake_on_signals() { m_wake_fd = signals::wake_fd(); }

} // namespace rbarrier
