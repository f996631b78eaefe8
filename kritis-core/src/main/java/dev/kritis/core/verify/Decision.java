package dev.kritis.core.verify;

import java.util.List;
import java.util.stream.Collectors;

/** The verdict on a set of images (a pod's containers): allowed only when every image is. */
public final class Decision {
  private final List<ImageDecision> images;

  Decision(List<ImageDecision> images) {
    this.images = List.copyOf(images);
  }

  public boolean allowed() {
    return images.stream().allMatch(ImageDecision::allowed);
  }

  /** One entry per image, in the order given. */
  public List<ImageDecision> images() {
    return images;
  }

  /** The denied images' messages, one sentence each, in order. */
  public List<String> denialMessages() {
    return images.stream().filter(i -> !i.allowed()).map(ImageDecision::message).collect(Collectors.toList());
  }

  @Override
  public String toString() {
    return (allowed() ? "allowed " : "denied ") + images;
  }
}
