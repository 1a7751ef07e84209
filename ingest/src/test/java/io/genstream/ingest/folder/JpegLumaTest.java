package io.genstream.ingest.folder;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.core.image.ImageTensor;
import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.DatasetSpec.Resize;
import io.genstream.ingest.SourceItem;
import io.genstream.ingest.TestFiles;
import io.genstream.ingest.internal.BytesImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;

/**
 * A colour JPEG for a gray dataset is read by its own luma plane (band 0 of its YCbCr raster);
 * one coded as RGB, a gray one, or any other, the ordinary way. The two ways must give the
 * same gray up to what the colour conversion clamps and interpolates.
 */
class JpegLumaTest {

  private static final String JPEG_METADATA = "javax_imageio_jpeg_image_1.0";
  private final ImageFiles gray = new ImageFiles(new DatasetSpec(28, 1, Resize.FIT), "s");

  @Test
  void aColourJpegBecomesGrayFromItsOwnLumaPlane() throws Exception {
    byte[] jpeg = TestFiles.encode(TestFiles.noise(28, 28, BufferedImage.TYPE_INT_RGB, 7), "jpeg");
    assertThat(isYCbCr(jpeg)).isTrue();

    SourceItem.Image item = (SourceItem.Image) gray.read(jpeg, "photo.jpg", 0, Map.of());

    byte[] pixels = ImageTensor.fromPng(item.image().png(), 1).chw();
    assertThat(pixels).isEqualTo(band0(jpeg));
    assertThat(item.attributes()).containsEntry("conversion", "rgb-to-gray");
    // Next to the luma of the colours ImageIO decodes: the same but for clamping and the
    // interpolated chroma, which on noise this strong moves single pixels by a few levels.
    BufferedImage rgb = ImageIO.read(new ByteArrayInputStream(jpeg));
    double sum = 0;
    for (int i = 0; i < pixels.length; i++) {
      int argb = rgb.getRGB(i % 28, i / 28);
      double luma = 0.299 * (argb >> 16 & 0xFF) + 0.587 * (argb >> 8 & 0xFF)
          + 0.114 * (argb & 0xFF);
      sum += Math.abs((pixels[i] & 0xFF) - luma);
    }
    assertThat(sum / pixels.length).isLessThan(3.0);
  }

  @Test
  void aRedJpegIsTheLumaOfRedWhetherCodedAsYCbCrOrRgb() throws Exception {
    BufferedImage red = new BufferedImage(32, 32, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        red.setRGB(x, y, 0xFF0000);
      }
    }
    byte[] ycbcr = TestFiles.encode(red, "jpeg");
    byte[] rgbCoded = adobeRgb(red);
    assertThat(isYCbCr(ycbcr)).isTrue();
    assertThat(isYCbCr(rgbCoded)).isFalse();

    for (byte[] jpeg : new byte[][] {ycbcr, rgbCoded}) {
      SourceItem.Image item = (SourceItem.Image) gray.read(jpeg, "red.jpg", 0, Map.of());
      // round(0.299 × 255) = 76; band 0 of the RGB-coded one would be red itself, 255.
      for (byte pixel : ImageTensor.fromPng(item.image().png(), 1).chw()) {
        assertThat(pixel & 0xFF).isBetween(74, 78);
      }
    }
  }

  @Test
  void grayJpegsAndColourDatasetsTakeTheOrdinaryPath() throws Exception {
    byte[] grayJpeg =
        TestFiles.encode(TestFiles.noise(20, 20, BufferedImage.TYPE_BYTE_GRAY, 2), "jpeg");
    assertThat(isYCbCr(grayJpeg)).isFalse();
    assertThat(isYCbCr(TestFiles.encode(TestFiles.noise(8, 8, BufferedImage.TYPE_INT_RGB, 3),
        "png"))).isFalse();

    byte[] colour = TestFiles.encode(TestFiles.noise(28, 28, BufferedImage.TYPE_INT_RGB, 4), "jpeg");
    ImageFiles rgb = new ImageFiles(new DatasetSpec(28, 3, Resize.FIT), "s");
    SourceItem.Image item = (SourceItem.Image) rgb.read(colour, "c.jpg", 0, Map.of());
    assertThat(item.attributes()).doesNotContainKey("conversion");
    assertThat(ImageTensor.fromPng(item.image().png(), 3).channels()).isEqualTo(3);
  }

  @Test
  void theMarkerScanLeavesTheStreamWhereItWas() throws Exception {
    byte[] jpeg = TestFiles.encode(TestFiles.noise(16, 16, BufferedImage.TYPE_INT_RGB, 5), "jpeg");
    try (ImageInputStream in = new BytesImageInputStream(jpeg)) {
      assertThat(JpegColour.isYCbCr(in)).isTrue();
      assertThat(in.getStreamPosition()).isZero();
    }
    byte[] headerOnly = java.util.Arrays.copyOf(jpeg, 20);
    assertThat(isYCbCr(headerOnly)).isFalse();
  }

  private static boolean isYCbCr(byte[] bytes) throws IOException {
    try (ImageInputStream in = new BytesImageInputStream(bytes)) {
      return JpegColour.isYCbCr(in);
    }
  }

  private static byte[] band0(byte[] jpeg) throws IOException {
    ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(jpeg))) {
      reader.setInput(in);
      Raster raster = reader.readRaster(0, null);
      byte[] y = new byte[raster.getWidth() * raster.getHeight()];
      for (int i = 0; i < y.length; i++) {
        y[i] = (byte) raster.getSample(i % raster.getWidth(), i / raster.getWidth(), 0);
      }
      return y;
    } finally {
      reader.dispose();
    }
  }

  /**
   * A JPEG coded as RGB, not YCbCr: no JFIF marker, an Adobe marker with transform 0 (as
   * ImageIO's writer documents it).
   */
  private static byte[] adobeRgb(BufferedImage image) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try {
      IIOMetadata metadata = writer.getDefaultImageMetadata(
          ImageTypeSpecifier.createFromRenderedImage(image), writer.getDefaultWriteParam());
      IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(JPEG_METADATA);
      IIOMetadataNode variety = (IIOMetadataNode) root.getElementsByTagName("JPEGvariety").item(0);
      while (variety.hasChildNodes()) {
        variety.removeChild(variety.getFirstChild());
      }
      IIOMetadataNode adobe = new IIOMetadataNode("app14Adobe");
      adobe.setAttribute("transform", "0");
      IIOMetadataNode markers =
          (IIOMetadataNode) root.getElementsByTagName("markerSequence").item(0);
      markers.insertBefore(adobe, markers.getFirstChild());
      metadata.setFromTree(JPEG_METADATA, root);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
        writer.setOutput(stream);
        writer.write(null, new IIOImage(image, null, metadata), writer.getDefaultWriteParam());
      }
      return out.toByteArray();
    } finally {
      writer.dispose();
    }
  }
}
