package io.genstream.trainer.evaluation;

/**
 * A real image from the stream: its label (0 for unlabelled data) and its pixels in [-1, 1],
 * {@code C × H × W} row-major. Held by reference in reservoirs: never modify the array.
 */
public record RealImage(int label, float[] pixels) {}
