package org.vfiosim.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngTest {

  @Test
  void what_it_writes_decodes_to_the_same_pixels_and_is_stable() throws Exception {
    BufferedImage img = new BufferedImage(37, 11, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, 37, 11);
    g.setColor(new Color(0x1f77b4));
    g.fillRect(3, 2, 20, 5);
    g.setColor(new Color(0xd62728));
    g.drawLine(0, 10, 36, 0);
    g.dispose();
    byte[] png = Png.encode(img);
    assertThat(Png.encode(img)).isEqualTo(png);
    BufferedImage back = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(back.getWidth()).isEqualTo(37);
    assertThat(back.getHeight()).isEqualTo(11);
    for (int y = 0; y < 11; y++) {
      for (int x = 0; x < 37; x++) {
        assertThat(back.getRGB(x, y) & 0xffffff).as(x + "," + y).isEqualTo(img.getRGB(x, y) & 0xffffff);
      }
    }
  }
}
