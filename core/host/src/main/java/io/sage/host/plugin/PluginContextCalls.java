package io.sage.host.plugin;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Makes the plugin's class loader the thread context class loader while plugin code runs: every
 * call on an extension (a runtime factory, a GPU provider), and on the SPI interfaces its calls
 * return (the {@code EngineRuntime} a factory creates), goes through a proxy that sets it and puts
 * the caller's back afterwards. Libraries that look classes up through the context loader
 * (ServiceLoader, JAXB, many JSON and HTTP clients) then find the plugin's own.
 */
final class PluginContextCalls {
  private PluginContextCalls() {}

  /** {@code target} seen through {@code type}, each call run with {@code loader} as context. */
  static <T> T wrap(Class<T> type, T target, ClassLoader loader) {
    if (Proxy.isProxyClass(target.getClass())
        && Proxy.getInvocationHandler(target) instanceof Handler) {
      return target;
    }
    return type.cast(
        Proxy.newProxyInstance(
            PluginContextCalls.class.getClassLoader(),
            new Class<?>[] {type},
            new Handler(target, loader)));
  }

  private record Handler(Object target, ClassLoader loader) implements InvocationHandler {
    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (method.getDeclaringClass() == Object.class) {
        return objectMethod(proxy, method, args);
      }
      Thread thread = Thread.currentThread();
      ClassLoader previous = thread.getContextClassLoader();
      thread.setContextClassLoader(loader);
      Object result;
      try {
        result = method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      } finally {
        thread.setContextClassLoader(previous);
      }
      Class<?> returned = method.getReturnType();
      if (result != null && returned.isInterface() && isSpi(returned)) {
        return wrapAs(returned, result);
      }
      return result;
    }

    private Object wrapAs(Class<?> type, Object result) {
      return wrap(uncheckedType(type), result, loader);
    }

    @SuppressWarnings("unchecked")
    private static Class<Object> uncheckedType(Class<?> type) {
      return (Class<Object>) type;
    }

    private Object objectMethod(Object proxy, Method method, Object[] args) {
      if (method.getName().equals("equals")) {
        return proxy == args[0];
      }
      if (method.getName().equals("hashCode")) {
        return System.identityHashCode(proxy);
      }
      return String.valueOf(target);
    }

    private static boolean isSpi(Class<?> type) {
      return type.getName().startsWith("io.sage.spi.");
    }
  }
}
