package io.genstream.ingest.synthetic;

import io.genstream.core.image.GrayImage;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.GraphicsEnvironment;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Renders one digit 0–9 as a white-on-black grayscale image with Java2D, varying font (or a
 * pen-drawn skeleton), size, rotation, stroke width and offset, as handwriting varies.
 *
 * <p>Two kinds of glyph keep the data varied on any machine: outlines of the installed fonts
 * (when the JVM finds fonts at all) and stroke skeletons drawn with a round pen, which need no
 * font. Not thread-safe: it reuses one canvas; give each thread its own renderer.
 */
public final class DigitRenderer {

  /** Families tried in order; the JDK's logical fonts map to whatever is installed. */
  private static final List<String> PREFERRED_FAMILIES = List.of(
      "DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono", "DejaVu Sans Condensed",
      "DejaVu Serif Condensed", "Liberation Sans", "Liberation Serif", "Liberation Mono",
      "SansSerif", "Serif", "Monospaced");
  private static final int[] STYLES = {Font.PLAIN, Font.BOLD, Font.ITALIC, Font.BOLD | Font.ITALIC};

  private final int size;
  private final List<String> families;
  private final BufferedImage canvas;
  private final Graphics2D graphics;

  /**
   * @param size image width and height in pixels, 28 or 32 (MNIST- and CIFAR-sized)
   */
  public DigitRenderer(int size) {
    if (size != 28 && size != 32) {
      throw new IllegalArgumentException("size must be 28 or 32, got " + size);
    }
    this.size = size;
    this.families = availableFamilies();
    this.canvas = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
    this.graphics = canvas.createGraphics();
    graphics.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    graphics.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    graphics.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
  }

  /** The font families this renderer draws with; empty if the JVM has no fonts. */
  public List<String> families() {
    return families;
  }

  /** Renders {@code digit} with style choices drawn from {@code random}. */
  public GrayImage render(int digit, SplittableRandom random) {
    if (digit < 0 || digit > 9) {
      throw new IllegalArgumentException("digit must be 0..9, got " + digit);
    }
    boolean useFont = !families.isEmpty() && random.nextInt(3) != 0;
    Shape glyph = useFont ? fontGlyph(digit, random) : DigitSkeletons.skeleton(digit);
    float pen = useFont
        ? (float) random.nextDouble(0.0, 1.6)
        : (float) random.nextDouble(0.09, 0.17); // skeletons live in a unit box
    double height = size * random.nextDouble(0.62, 0.80);
    double angle = Math.toRadians(random.nextDouble(-14, 14));
    double shear = random.nextDouble(-0.18, 0.18);
    double dx = random.nextDouble(-2, 2);
    double dy = random.nextDouble(-2, 2);

    Rectangle2D bounds = glyph.getBounds2D();
    double scale = height / Math.max(bounds.getHeight(), 1e-6);
    AffineTransform placement = new AffineTransform();
    placement.translate(size / 2.0 + dx, size / 2.0 + dy);
    placement.rotate(angle);
    placement.shear(shear, 0);
    placement.scale(scale, scale);
    placement.translate(-bounds.getCenterX(), -bounds.getCenterY());

    graphics.setColor(Color.BLACK);
    graphics.fillRect(0, 0, size, size);
    graphics.setColor(Color.WHITE);
    AffineTransform saved = graphics.getTransform();
    graphics.transform(placement);
    if (useFont) {
      graphics.fill(glyph);
      if (pen > 0.2f) {
        graphics.setStroke(new BasicStroke((float) (pen / scale), BasicStroke.CAP_ROUND,
            BasicStroke.JOIN_ROUND));
        graphics.draw(glyph);
      }
    } else {
      graphics.setStroke(new BasicStroke(pen, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      graphics.draw(glyph);
    }
    graphics.setTransform(saved);

    byte[] pixels = ((DataBufferByte) canvas.getRaster().getDataBuffer()).getData();
    return new GrayImage(size, size, pixels.clone());
  }

  private Shape fontGlyph(int digit, SplittableRandom random) {
    String family = families.get(random.nextInt(families.size()));
    Font font = new Font(family, STYLES[random.nextInt(STYLES.length)], 64);
    return font.createGlyphVector(graphics.getFontRenderContext(), Integer.toString(digit))
        .getOutline();
  }

  private static List<String> availableFamilies() {
    Set<String> installed = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    try {
      for (String family : GraphicsEnvironment.getLocalGraphicsEnvironment()
          .getAvailableFontFamilyNames(Locale.ROOT)) {
        installed.add(family);
      }
      // A JVM without any font files lists logical families but fails on first use: probe.
      new Font("SansSerif", Font.PLAIN, 12)
          .createGlyphVector(new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY)
              .createGraphics().getFontRenderContext(), "0");
    } catch (RuntimeException | Error e) {
      return List.of();
    }
    List<String> families = new ArrayList<>();
    for (String family : PREFERRED_FAMILIES) {
      if (installed.contains(family)) {
        families.add(family);
      }
    }
    return List.copyOf(families);
  }
}
