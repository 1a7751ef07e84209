package io.genstream.trainer.testing;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Random;

/**
 * Digits 0–9 drawn with Java2D for tests: white on black, random font, size, slant, offset and
 * stroke, {@code size × size} grayscale. A test-only stand-in for ingest's synthetic source.
 */
public final class TestDigits {

  private static final String[] FONTS = {Font.SANS_SERIF, Font.SERIF, Font.MONOSPACED, Font.DIALOG};

  private final Random random;
  private final int size;

  public TestDigits(long seed, int size) {
    this.random = new Random(seed);
    this.size = size;
  }

  /** One digit's pixels, 0..255, row-major. */
  public byte[] render(int digit) {
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
          RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.BLACK);
      g.fillRect(0, 0, size, size);
      g.setColor(Color.WHITE);
      int style = random.nextBoolean() ? Font.BOLD : Font.PLAIN;
      float points = size * (0.75f + 0.2f * random.nextFloat());
      Font font = new Font(FONTS[random.nextInt(FONTS.length)], style, 10).deriveFont(points);
      g.setFont(font);
      g.setStroke(new BasicStroke(1f));
      String text = Integer.toString(digit);
      var metrics = g.getFontMetrics();
      double x = (size - metrics.stringWidth(text)) / 2.0 + random.nextGaussian() * 1.2;
      double y = (size + metrics.getAscent() - metrics.getDescent()) / 2.0
          + random.nextGaussian() * 1.2;
      AffineTransform transform = new AffineTransform();
      transform.rotate(random.nextGaussian() * 0.12, size / 2.0, size / 2.0);
      transform.shear(random.nextGaussian() * 0.1, 0);
      g.setTransform(transform);
      g.drawString(text, (float) x, (float) y);
    } finally {
      g.dispose();
    }
    return ((DataBufferByte) image.getRaster().getDataBuffer()).getData().clone();
  }

  /** One digit scaled to [-1, 1] into {@code target} at {@code offset}. */
  public void renderInto(int digit, float[] target, int offset) {
    byte[] pixels = render(digit);
    for (int i = 0; i < pixels.length; i++) {
      target[offset + i] = (pixels[i] & 0xFF) / 127.5f - 1f;
    }
  }

  public Random random() {
    return random;
  }
}
