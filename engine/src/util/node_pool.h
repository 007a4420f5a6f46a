// NodePool and PoolAllocator: node storage for the engine's long-lived trees (the
// registry's blocks, the free-space map's runs) that keeps what a tree releases and
// hands it back first. Every update splits and merges free runs, and every insert or
// removal adds or drops a registry entry: with std::allocator that is an allocation
// per operation forever, however long the store has been in steady state. With the
// pool, a tree that has once held N nodes allocates nothing more while it holds at
// most N; the memory is that of the most nodes it ever held (and up to an eighth more,
// see Take), and goes with the tree.
//
// Semantics of the allocator (PoolAllocator<T>): a default-constructed one makes its
// own pool, so `BlockMap blocks;` needs nothing more. A copy-constructed tree gets a
// fresh pool (select_on_container_copy_construction), so no two trees that may be used
// on two threads ever share one; copy assignment keeps the target's pool and reuses
// its nodes; move and swap carry the pool with the nodes.
// Thread-safety: none, like the tree it serves (a moved-from tree shares the pool of
// the tree it was moved into until it is assigned: do not use both on two threads).
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>

namespace memh::engine {

class NodePool {
 public:
  NodePool() = default;
  NodePool(const NodePool&) = delete;
  NodePool& operator=(const NodePool&) = delete;
  ~NodePool() {
    while (free_ != nullptr) {
      FreeNode* next = free_->next;
      ::operator delete(free_);
      free_ = next;
    }
  }

  // Blocks of one size (a tree's node): the first request fixes it; other sizes pass
  // straight to the heap.
  void* Take(std::size_t bytes) {
    if (node_bytes_ == 0 && bytes >= sizeof(FreeNode)) node_bytes_ = bytes;
    if (bytes != node_bytes_) return ::operator new(bytes);
    if (free_ == nullptr) {
      // A tree's size wanders (the free-space map's run count rises and falls with every
      // batch), and a pool that grew one node at a time would allocate at each new high,
      // rarely but forever. Growing by an eighth (at most kMaxSpareGrowth nodes) makes
      // the highs that still allocate geometric, like a vector's, at the price of at
      // most that share held spare.
      const std::size_t spare = std::min(nodes_ / 8, kMaxSpareGrowth);
      for (std::size_t i = 0; i < spare; ++i) {
        free_ = ::new (::operator new(bytes)) FreeNode{free_};
        ++nodes_;
      }
      void* fresh = ::operator new(bytes);
      ++nodes_;
      return fresh;
    }
    FreeNode* node = free_;
    free_ = node->next;
    return node;
  }
  void Give(void* block, std::size_t bytes) noexcept {
    if (bytes != node_bytes_) {
      ::operator delete(block);
      return;
    }
    free_ = ::new (block) FreeNode{free_};
  }

  // What the pool holds of the heap: every node it ever handed out (in use or free),
  // in the bytes requested (jemalloc rounds a request up to its size class).
  std::size_t held_bytes() const noexcept { return nodes_ * node_bytes_; }
  std::size_t node_bytes() const noexcept { return node_bytes_; }

 private:
  static constexpr std::size_t kMaxSpareGrowth = 1024;
  struct FreeNode {
    FreeNode* next;
  };
  FreeNode* free_ = nullptr;
  std::size_t node_bytes_ = 0;
  std::size_t nodes_ = 0;
};

template <typename T>
class PoolAllocator {
 public:
  using value_type = T;
  using propagate_on_container_copy_assignment = std::false_type;
  using propagate_on_container_move_assignment = std::true_type;
  using propagate_on_container_swap = std::true_type;
  using is_always_equal = std::false_type;

  PoolAllocator() : pool_(std::make_shared<NodePool>()) {}
  // A copy shares the pool (the tree's rebound node allocator is such a copy). There
  // is deliberately no move: a moved-from tree keeps a working allocator.
  PoolAllocator(const PoolAllocator& other) noexcept = default;
  template <typename U>
  PoolAllocator(const PoolAllocator<U>& other) noexcept : pool_(other.pool()) {}  // NOLINT: rebinding
  PoolAllocator& operator=(const PoolAllocator& other) noexcept = default;

  PoolAllocator select_on_container_copy_construction() const { return PoolAllocator(); }

  // Single objects (the tree's nodes) come from the pool; arrays from the heap.
  T* allocate(std::size_t n) {
    if (n == 1) return static_cast<T*>(pool_->Take(sizeof(T)));
    return static_cast<T*>(::operator new(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n == 1) {
      pool_->Give(p, sizeof(T));
    } else {
      ::operator delete(p);
    }
  }

  const std::shared_ptr<NodePool>& pool() const noexcept { return pool_; }
  template <typename U>
  friend bool operator==(const PoolAllocator& a, const PoolAllocator<U>& b) noexcept {
    return a.pool() == b.pool();
  }

 private:
  std::shared_ptr<NodePool> pool_;
};

}  // namespace memh::engine
