// Cartable: applies the saved theme and language to <html> before the first paint.
// A classic script in <head> (not a module, which would run after the first paint), kept
// tiny. The app calls self.cartableTheme() after the user picks another theme.
(function () {
  var root = document.documentElement;
  var dark = self.matchMedia ? self.matchMedia('(prefers-color-scheme: dark)') : null;
  function saved(key) {
    try {
      return self.localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }
  function apply() {
    var theme = saved('cartable.theme');
    if (theme !== 'light' && theme !== 'dark' && theme !== 'contrast') {
      theme = dark && dark.matches ? 'dark' : 'light';
    }
    root.setAttribute('data-theme', theme);
  }
  apply();
  if (dark && dark.addEventListener) dark.addEventListener('change', apply);
  self.cartableTheme = apply;
  var lang = (saved('cartable.lang') || navigator.language || 'fr').slice(0, 2).toLowerCase();
  root.setAttribute('lang', lang === 'en' ? 'en' : 'fr');
})();
