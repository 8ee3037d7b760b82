// SPDX-License-Identifier: Apache-2.0
// Unit tests: a barrier's keys and hash tags.
#include <doctest/doctest.h>

#include "barrier.hpp"

using namespace rbarrier;

namespace {

// The hash tag Redis Cluster hashes a key by: from the first "{" to the first "}" after it,
// when that is not empty; else the whole key.
std::string cluster_tag(const std::string& key) {
  const auto open = key.find('{');
  if (open == std::string::npos) {
    return key;
  }
  const auto close = key.find('}', open + 1);
  if (close == std::string::npos || close == open + 1) {
    return key;
  }
  return key.substr(open + 1, close - open - 1);
}

} // namespace

TEST_CASE("every name's keys share one non-empty hash tag") {
  for (const char* name : {"jobs", "}", "{}", "}{", "{{}}", "a}b", "{a}", "%", "%7D", "a{b"}) {
    CAPTURE(name);
    const BarrierKeys keys("rbarrier:", name);
    const std::string tag = cluster_tag(keys.meta);
    CHECK(tag == hash_tag(name));
    CHECK(tag != keys.meta);
    for (const auto& key :
         {keys.members, keys.outcomes, keys.events, keys.progress, keys.arrival("n1")}) {
      CHECK(cluster_tag(key) == tag);
    }
  }
}

TEST_CASE("the hash tag keeps names apart and ordinary names as they are") {
  CHECK(hash_tag("jobs:stage2") == "jobs:stage2");
  CHECK(hash_tag("a{b") == "a{b");
  CHECK(hash_tag("}") == "%7D");
  CHECK(hash_tag("%7D") == "%257D");
  CHECK(hash_tag("100%") == "100%25");
  CHECK(BarrierKeys("p:", "x").meta == "p:{x}");
}
