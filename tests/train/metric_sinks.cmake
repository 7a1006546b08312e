# Metric sinks (JSONL, TensorBoard) and scripts/plot_metrics.py. The sources are compiled into the test directly, so
# that it needs only the core module and not the train module's whole closure (rollout, reward, data, LibTorch).
set(TTRL_METRIC_SINK_SOURCES
    ${PROJECT_SOURCE_DIR}/src/train/metric_sinks.cpp
    ${PROJECT_SOURCE_DIR}/src/train/tensorboard_writer.cpp
    ${PROJECT_SOURCE_DIR}/src/train/crc32c.cpp)

ttrl_add_gtest(test_metric_sinks MODULES core SOURCES test_metric_sinks.cpp ${TTRL_METRIC_SINK_SOURCES})

add_executable(tensorboard_write_tool tensorboard_write_tool.cpp ${TTRL_METRIC_SINK_SOURCES})
ttrl_link_modules(tensorboard_write_tool core)
target_include_directories(tensorboard_write_tool PRIVATE ${PROJECT_SOURCE_DIR}/src)
set_target_properties(tensorboard_write_tool PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)

# Script tests: exit code 77 means skipped (no Python configured, or tensorboard/matplotlib not importable).
if(TTRL_PYTHON)
  set(_ttrl_sinks_python ${TTRL_PYTHON})
else()
  set(_ttrl_sinks_python sh -c "echo 'skip: TTRL_PYTHON is not set'; exit 77" --)
endif()
add_test(NAME train.tensorboard_reader
         COMMAND ${_ttrl_sinks_python} ${CMAKE_CURRENT_SOURCE_DIR}/tensorboard_reader_check.py
                 $<TARGET_FILE:tensorboard_write_tool>)
add_test(NAME train.plot_metrics
         COMMAND ${_ttrl_sinks_python} ${CMAKE_CURRENT_SOURCE_DIR}/plot_metrics_check.py
                 ${PROJECT_SOURCE_DIR}/scripts/plot_metrics.py)
set_tests_properties(train.tensorboard_reader PROPERTIES SKIP_RETURN_CODE 77 LABELS parity)
set_tests_properties(train.plot_metrics PROPERTIES SKIP_RETURN_CODE 77 LABELS script)
