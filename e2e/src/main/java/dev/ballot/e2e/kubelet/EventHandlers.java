package dev.ballot.e2e.kubelet;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.function.Consumer;

/** Informer handlers for the common case: one action for an object added or changed, one for it gone. */
public final class EventHandlers {
  private EventHandlers() {
  }

  /** {@code seen} on add and update (the object as it is now), {@code gone} on delete. */
  public static <T> ResourceEventHandler<T> of(Consumer<T> seen, Consumer<T> gone) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        seen.accept(obj);
      }

      @Override
      public void onUpdate(T old, T obj) {
        seen.accept(obj);
      }

      @Override
      public void onDelete(T obj, boolean unknownFinalState) {
        gone.accept(obj);
      }
    };
  }

  /** {@code seen} on add and update; a delete is ignored. */
  public static <T> ResourceEventHandler<T> onChange(Consumer<T> seen) {
    return of(seen, obj -> { });
  }
}
