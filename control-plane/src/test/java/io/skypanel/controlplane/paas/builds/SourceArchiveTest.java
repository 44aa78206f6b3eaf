package io.skypanel.controlplane.paas.builds;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Unpacking a source tarball on real files: what stays inside the tree is unpacked, everything else fails the build. */
class SourceArchiveTest {

  @TempDir
  Path dir;

  private final SourceArchive archive = new SourceArchive(1024, 10);

  /** One tar entry: a file (content), a directory (name ends with /), or a symbolic link (linkTarget). */
  private record Item(String name, String content, String linkTarget, byte type) {
    static Item file(String name, String content) {
      return new Item(name, content, null, TarArchiveEntry.LF_NORMAL);
    }

    static Item link(String name, String target) {
      return new Item(name, null, target, TarArchiveEntry.LF_SYMLINK);
    }
  }

  private Path tarball(Item... items) throws IOException {
    Path file = dir.resolve("source.tar.gz");
    try (OutputStream out = Files.newOutputStream(file); TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(out))) {
      for (Item item : items) {
        TarArchiveEntry entry = new TarArchiveEntry(item.name(), item.type(), true);
        if (item.linkTarget() != null) {
          entry.setLinkName(item.linkTarget());
          tar.putArchiveEntry(entry);
        } else {
          byte[] content = item.content().getBytes(StandardCharsets.UTF_8);
          entry.setSize(content.length);
          entry.setMode(item.name().endsWith(".sh") ? 0755 : 0644);
          tar.putArchiveEntry(entry);
          tar.write(content);
        }
        tar.closeArchiveEntry();
      }
    }
    return file;
  }

  @Test
  void files_links_inside_and_modes_are_unpacked() throws IOException {
    Path target = dir.resolve("out");
    archive.unpack(tarball(Item.file("./app/run.sh", "#!/bin/sh\n"), Item.file("app/index.html", "hi"), Item.link("app/current", "index.html")), target);
    assertThat(Files.readString(target.resolve("app/index.html"))).isEqualTo("hi");
    assertThat(Files.isExecutable(target.resolve("app/run.sh"))).isTrue();
    assertThat(Files.readSymbolicLink(target.resolve("app/current")).toString()).isEqualTo("index.html");
  }

  @Test
  void absolute_paths_and_dot_dot_fail_naming_the_entry() throws IOException {
    assertThatThrownBy(() -> archive.unpack(tarball(Item.file("a/../../escape", "x")), dir.resolve("one")))
        .isInstanceOf(BuildFailedException.class).hasMessageContaining("'a/../../escape' leaves the source tree");
    assertThatThrownBy(() -> archive.unpack(tarball(Item.file("/etc/passwd", "x")), dir.resolve("two")))
        .isInstanceOf(BuildFailedException.class).hasMessageContaining("absolute");
    assertThat(dir.getParent().resolve("escape")).doesNotExist();
  }

  @Test
  void links_leaving_the_tree_or_written_through_fail() throws IOException {
    assertThatThrownBy(() -> archive.unpack(tarball(Item.link("etc", "/etc")), dir.resolve("one")))
        .isInstanceOf(BuildFailedException.class).hasMessageContaining("points outside the source tree");
    assertThatThrownBy(() -> archive.unpack(tarball(Item.link("up", "../..")), dir.resolve("two")))
        .isInstanceOf(BuildFailedException.class).hasMessageContaining("points outside the source tree");
    assertThatThrownBy(() -> archive.unpack(tarball(Item.link("sub", "."), Item.file("sub/file", "x")), dir.resolve("three")))
        .isInstanceOf(BuildFailedException.class).hasMessageContaining("written through the link 'sub'");
  }

  @Test
  void size_entry_and_format_limits_fail_the_build() throws IOException {
    assertThatThrownBy(() -> archive.unpack(tarball(Item.file("big", "x".repeat(2000))), dir.resolve("one")))
        .isInstanceOf(BuildFailedException.class).hasMessageContaining("larger than the limit");
    Item[] many = new Item[11];
    for (int i = 0; i < many.length; i++) {
      many[i] = Item.file("f" + i, "x");
    }
    assertThatThrownBy(() -> archive.unpack(tarball(many), dir.resolve("two")))
        .isInstanceOf(BuildFailedException.class).hasMessageContaining("more than 10 files");
    Path notGzip = Files.writeString(dir.resolve("plain.txt"), "not a tarball");
    assertThatThrownBy(() -> archive.unpack(notGzip, dir.resolve("three")))
        .isInstanceOf(BuildFailedException.class).hasMessageContaining("not a readable gzipped tarball");
  }
}
