// The launch environment (torchrun's variables): one process without them, the job's shape with them, and every bad
// value an error naming the variable.
#include <gtest/gtest.h>

#include <map>

#include "ttrl/core/error.hpp"
#include "ttrl/core/launch_env.hpp"

namespace {

ttrl::EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

std::string error_of(std::map<std::string, std::string> vars) {
  try {
    ttrl::read_launch_env(env_of(std::move(vars)));
  } catch (const ttrl::ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(LaunchEnv, NoVariablesIsOneProcess) {
  const ttrl::LaunchEnv env = ttrl::read_launch_env(env_of({}));
  EXPECT_FALSE(env.multi_process());
  EXPECT_EQ(env.rank, 0);
  EXPECT_EQ(env.world_size, 1);
  // torchrun with one process sets the variables too: still one process.
  EXPECT_FALSE(ttrl::read_launch_env(env_of({{"RANK", "0"}, {"WORLD_SIZE", "1"}})).multi_process());
}

TEST(LaunchEnv, ReadsTorchrunsVariables) {
  const ttrl::LaunchEnv env = ttrl::read_launch_env(env_of({{"RANK", "5"}, {"WORLD_SIZE", "8"}, {"LOCAL_RANK", "1"},
                                                            {"LOCAL_WORLD_SIZE", "4"}, {"MASTER_ADDR", "node0"},
                                                            {"MASTER_PORT", "29500"}}));
  EXPECT_TRUE(env.multi_process());
  EXPECT_EQ(env.rank, 5);
  EXPECT_EQ(env.world_size, 8);
  EXPECT_EQ(env.local_rank, 1);
  EXPECT_EQ(env.local_world_size, 4);
  EXPECT_EQ(env.master_addr, "node0");
  EXPECT_EQ(env.master_port, 29500);
  // Without LOCAL_*: one node.
  const ttrl::LaunchEnv one_node = ttrl::read_launch_env(
      env_of({{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "localhost"}, {"MASTER_PORT", "1234"}}));
  EXPECT_EQ(one_node.local_rank, 1);
  EXPECT_EQ(one_node.local_world_size, 2);
}

TEST(LaunchEnv, BadVariablesAreErrorsNamingThem) {
  const std::map<std::string, std::string> good = {{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "localhost"},
                                                   {"MASTER_PORT", "29500"}};
  auto with = [&](const std::string& name, const std::string& value) {
    auto vars = good;
    vars[name] = value;
    return vars;
  };
  auto without = [&](const std::string& name) {
    auto vars = good;
    vars.erase(name);
    return vars;
  };
  EXPECT_EQ(error_of(without("RANK")), "environment variable WORLD_SIZE is set but RANK is not: a launcher sets both");
  EXPECT_EQ(error_of(without("WORLD_SIZE")), "environment variable RANK is set but WORLD_SIZE is not: a launcher sets both");
  EXPECT_EQ(error_of(with("RANK", "2")), "environment variable RANK=2 is outside [0, 2) (WORLD_SIZE=2)");
  EXPECT_EQ(error_of(with("RANK", "-1")), "environment variable RANK=-1 is outside [0, 2) (WORLD_SIZE=2)");
  EXPECT_EQ(error_of(with("WORLD_SIZE", "two")), "environment variable WORLD_SIZE='two' is not a whole number");
  EXPECT_EQ(error_of(with("WORLD_SIZE", "0")), "environment variable WORLD_SIZE=0 must be at least 1");
  EXPECT_EQ(error_of(with("MASTER_PORT", "http")), "environment variable MASTER_PORT='http' is not a whole number");
  EXPECT_EQ(error_of(with("MASTER_PORT", "70000")), "environment variable MASTER_PORT=70000 is not a port (1..65535)");
  EXPECT_EQ(error_of(with("LOCAL_RANK", "3")), "environment variable LOCAL_RANK=3 is outside [0, 2) (LOCAL_WORLD_SIZE=2)");
  EXPECT_EQ(error_of(with("RANK", "99999999999999999999")),
            "environment variable RANK='99999999999999999999' is not a whole number");
  EXPECT_NE(error_of(without("MASTER_ADDR")).find("MASTER_ADDR is not set"), std::string::npos);
  EXPECT_NE(error_of(without("MASTER_PORT")).find("MASTER_PORT is not set"), std::string::npos);
}

TEST(LaunchEnv, ReadsSrunsVariablesInAJobStep) {
  const ttrl::LaunchEnv env = ttrl::read_launch_env(
      env_of({{"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "3"}, {"SLURM_NTASKS", "4"}, {"SLURM_LOCALID", "1"},
              {"SLURM_NTASKS_PER_NODE", "2"}, {"MASTER_ADDR", "node0"}, {"MASTER_PORT", "29500"}}));
  EXPECT_TRUE(env.multi_process());
  EXPECT_EQ(env.launcher, "srun");
  EXPECT_EQ(env.rank, 3);
  EXPECT_EQ(env.world_size, 4);
  EXPECT_EQ(env.local_rank, 1);
  EXPECT_EQ(env.local_world_size, 2);
  // Nodes with different task counts ("2(x3)"): the local rank is still SLURM_LOCALID.
  const ttrl::LaunchEnv uneven = ttrl::read_launch_env(
      env_of({{"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "5"}, {"SLURM_NTASKS", "6"}, {"SLURM_LOCALID", "1"},
              {"SLURM_NTASKS_PER_NODE", "2(x3)"}, {"MASTER_ADDR", "node0"}, {"MASTER_PORT", "29500"}}));
  EXPECT_EQ(uneven.local_rank, 1);
  // An sbatch script (no step id) is one process even with SLURM_NTASKS > 1, and torchrun's variables win.
  EXPECT_FALSE(ttrl::read_launch_env(env_of({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "4"}})).multi_process());
  EXPECT_EQ(ttrl::read_launch_env(env_of({{"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "4"},
                                          {"RANK", "0"}, {"WORLD_SIZE", "1"}}))
                .world_size,
            1);
  EXPECT_EQ(error_of({{"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "4"}, {"SLURM_NTASKS", "4"}, {"MASTER_ADDR", "n"},
                      {"MASTER_PORT", "1"}}),
            "environment variable SLURM_PROCID=4 is outside [0, 4) (SLURM_NTASKS=4)");
  EXPECT_EQ(error_of({{"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "1"}, {"SLURM_NTASKS", "2"}, {"MASTER_PORT", "1"}}),
            "rank 1 of 2: environment variable MASTER_ADDR is not set (the host of rank 0's store)");
}
