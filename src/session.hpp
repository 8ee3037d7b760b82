// SPDX-License-Identifier: Apache-2.0
// The way to the server for one command: a connection made again, with backoff, as it breaks.
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "options.hpp"
#include "redis/connection.hpp"
#include "util/error.hpp"

namespace rbarrier {

// The way to the server for one command: where it is, how to log in, and a command connection
// that is made again, with jittered exponential backoff, whenever it breaks.
class Session {
public:
  explicit Session(const ServerOptions& options);

  // Runs `fn(connection, attempt_deadline)` until it returns, repeating it on a new connection
  // after a connection error or a transient error reply, until `deadline`; then the last error
  // is thrown, or the one before it when the deadline cut the last attempt short. Until the
  // first connection succeeds, --connect-timeout bounds the attempts too.
  // Each attempt ends after k_reply_timeout at the latest: a server that stopped answering is
  // treated as a lost connection, never waited for without end.
  //
  // In a Redis Cluster, a MOVED reply sends this and later connections to the node it names,
  // and an ASK reply runs `fn` once on the node it names, after ASKING. A node that cannot be
  // reached sends the next attempt to the next node known (the URL's, those redirections named,
  // those learn_cluster() found), which answers with the slot's owner of the moment.
  template <typename Fn> auto run(Fn&& fn, Deadline deadline) {
    m_previous = nullptr;
    int redirections = 0;
    for (;;) {
      try {
        const Deadline attempt = std::min(bounded(deadline), Clock::now() + k_reply_timeout);
        if (m_ask) { // connected here, so that a node that cannot be reached is retried
          auto target = std::make_unique<redis::Connection>(
              *std::exchange(m_ask, std::nullopt), m_credentials, attempt, m_wake_fd, m_tls.get());
          target->command({"ASKING"}, attempt).check();
          auto result = fn(*target, attempt);
          restored(*target);
          return result;
        }
        redis::Connection& current = connection(attempt);
        auto result = fn(current, attempt);
        restored(current);
        return result;
      } catch (const ConnectionError& error) {
        redirections = 0;
        retry_after(error, deadline);
      } catch (const RedisError& error) {
        if (redirect(error.what(), ++redirections)) {
          continue;
        }
        if (!error.transient()) {
          throw;
        }
        m_connected_once = true; // the server answered: from now on the deadline bounds retries
        redirections = 0; // only redirections without a pause between them are a loop
        retry_after(error, deadline);
      } catch (const Interrupted&) {
        stop_interrupting();
        throw;
      } catch (const ProtocolError&) {
        m_connection.reset();
        throw;
      }
    }
  }

  // With --wait-replicas N, after this process decided an outcome: WAITs until N replicas have
  // it, at most --connect-timeout, and warns when fewer did. Never fails the command.
  void wait_for_replicas(std::string_view barrier);

  // Asks the server for the nodes of its Redis Cluster (CLUSTER SLOTS, replicas included), so
  // that a party can find a slot's new owner after its master crashed. Does nothing for a
  // server that is not in a cluster; any other failure is left for the next command to meet.
  void learn_cluster(Deadline deadline);

  // The masters of the Redis Cluster this session reaches (CLUSTER SLOTS), or none when it is
  // not a cluster; and a connection to one of them, logged in as this session is.
  std::vector<redis::Endpoint::Address> cluster_masters(Deadline deadline);
  std::unique_ptr<redis::Connection> connect_to(const redis::Endpoint::Address& node,
                                                Deadline deadline);

  // Says once, on stderr, that the way to the server was lost; run() says when it is back.
  // With Sentinel, the next connection asks a sentinel for the master again.
  void note_lost(const Error& error);

  // After a signal: drop the connection, and stop waking on the signal pipe, so that the party
  // can still withdraw.
  void stop_interrupting();
  // After the interruption was dealt with (run passed a signal on to its command): wake on the
  // signal pipe again.
  void wake_on_signals();

  const redis::Endpoint& endpoint() const { return m_endpoint; }

  static constexpr Duration k_reply_timeout = std::chrono::seconds(10);

private:
  redis::Connection& connection(Deadline deadline);
  std::unique_ptr<redis::Connection> open(Deadline deadline);
  // Follows a cluster's "MOVED slot host:port" or "ASK slot host:port"; false for any other
  // error. Throws ProtocolError after too many redirections in one run.
  bool redirect(std::string_view error, int redirections);
  // Adds a cluster node to those known.
  void remember(const redis::Endpoint::Address& node);
  // Points the next connection at the next known cluster node, after `m_endpoint` failed.
  void next_cluster_node();
  // Drops the connection, and sleeps the backoff, or rethrows `error` past the deadline.
  // Called in a catch block.
  void retry_after(const Error& error, Deadline deadline);
  Deadline bounded(Deadline deadline) const;
  // After a command succeeded on `connection`: says that the server is back, if note_lost()
  // said it was lost.
  void restored(const redis::Connection& connection);

  redis::Endpoint m_endpoint;
  redis::Credentials m_credentials;
  std::unique_ptr<redis::TlsContext> m_tls;
  // With Sentinel: the master as last resolved, until a connection to it fails or is lost.
  std::optional<redis::Endpoint> m_master;
  // In a Redis Cluster: the nodes known, the URL's first; one entry until a redirection or
  // learn_cluster() names others.
  std::vector<redis::Endpoint::Address> m_nodes;
  Deadline m_connect_deadline;
  Duration m_connect_timeout;
  std::int64_t m_wait_replicas;
  int m_wake_fd;
  bool m_connected_once = false;
  bool m_lost = false;
  Duration m_backoff;
  std::unique_ptr<redis::Connection> m_connection;
  std::optional<redis::Endpoint> m_ask; // the node an ASK named, for the next attempt
  std::exception_ptr m_previous; // the error of run()'s previous attempt
};

} // namespace rbarrier
