package io.tokbench.agent.probe;

/**
 * One request of the probe: a prompt, how much to generate and under which settings. Sampling is
 * greedy (temperature 0, fixed seed) so every rig does the same work.
 */
public record GenerationRequest(String model, String prompt, int contextLength, int maxTokens, long seed, double temperature) {}
