// WorkRing: the background writer's queue, a ring of fixed capacity reserved when the
// store opens. A std::deque would allocate chunks depending on how fast the writer
// drains it, i.e. on timing; a fixed ring keeps the allocation figures repeatable.
// Thread-safety: none; the store guards it (see StoreCore).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "store/batch.h"
#include "util/check.h"

namespace memh::engine {

class WorkRing {
 public:
  explicit WorkRing(std::size_t capacity) : items_(capacity) {}

  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == items_.size(); }
  std::size_t size() const { return size_; }
  std::size_t free_slots() const { return items_.size() - size_; }

  void Push(WorkItem item) {
    MEMH_CHECK(!full());
    items_[(head_ + size_) % items_.size()] = std::move(item);
    ++size_;
  }
  WorkItem& Front() {
    MEMH_CHECK(!empty());
    return items_[head_];
  }
  WorkItem PopFront() {
    MEMH_CHECK(!empty());
    WorkItem item = std::move(items_[head_]);
    head_ = (head_ + 1) % items_.size();
    --size_;
    return item;
  }
  // i = 0 is the newest item.
  const WorkItem& FromNewest(std::size_t i) const {
    return items_[(head_ + size_ - 1 - i) % items_.size()];
  }

 private:
  std::vector<WorkItem> items_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace memh::engine
