// The per-length test errors a train suite stores (by_length) come from the trainer's final evaluation
// (TrainResult::test_by_length); checked here against an independent path, the model stage's one-string forward
// (SampledByLength), on real training.
#include <gtest/gtest.h>

#include <vector>

#include "lang/dataset_builder.h"
#include "lang/spec.h"
#include "model/model.h"
#include "model/verify.h"
#include "train/trainer.h"

namespace flbench {
namespace {

// The trainer counts its final test errors per length itself (TrainResult::test_by_length, what suites store as
// by_length); the model stage's one-string-at-a-time forward must find the same counts on the same strings.
TEST(ByLength, TrainerPerLengthErrorsEqualTheModelsOwnForward) {
  for (Task task : {Task::kNextSymbol, Task::kMembership}) {
    const auto lang = LoadLanguage("tomita7");
    DatasetSpec spec;
    spec.task = task;
    spec.train = 300;
    spec.test = 300;
    spec.max_len = 20;
    spec.test_bins = {{21, 40}};
    const Dataset data = BuildDataset(*lang, spec);
    TrainConfig cfg;
    cfg.width = 8;
    cfg.activation = "relu";
    cfg.epochs = 2;  // undertrained: errors at many lengths
    cfg.patience = 0;
    const TrainResult r = Train(data, cfg);
    ASSERT_EQ(r.test_by_length.size(), data.tests.size());
    const ElmanShape shape{cfg.width, data.symbols(), data.outputs(), Activation::kRelu, task, true};
    const RnnModel M = ModelFromTheta(shape, r.theta.data(), "tomita7", data.alphabet);
    long errors = 0;
    for (size_t s = 0; s < data.tests.size(); ++s) {
      const std::vector<LengthErrors> model = SampledByLength(M, data.tests[s].examples);
      ASSERT_EQ(model.size(), r.test_by_length[s].size()) << data.tests[s].name;
      for (size_t i = 0; i < model.size(); ++i) {
        EXPECT_EQ(model[i].length, r.test_by_length[s][i].length);
        EXPECT_EQ(long(model[i].strings), r.test_by_length[s][i].strings);
        EXPECT_EQ(long(model[i].errors), r.test_by_length[s][i].errors) << "length " << model[i].length;
        errors += r.test_by_length[s][i].errors;
      }
    }
    EXPECT_GT(errors, 0) << "an undertrained network: the comparison is not vacuous";
  }
}

}  // namespace
}  // namespace flbench
